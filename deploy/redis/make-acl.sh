#!/usr/bin/env bash
# Writes a usable ACL file for ORION's Redis from deploy/redis/users.acl: every user switched on
# with a fresh random password (stored only as its SHA-256), and the stream prefix replaced when
# ORION uses another bus.stream_prefix. Prints one bus.url per user, once: keep them, they are
# not stored anywhere else.
#
#   deploy/redis/make-acl.sh OUT_FILE [PREFIX] [HOST:PORT]
#   deploy/redis/make-acl.sh /etc/redis/orion-users.acl orion redis.lan:6379
#
# Then point redis.conf's `aclfile` at OUT_FILE (mode 0600, owned by the redis user) and set each
# ORION process's bus.url (or ORION_BUS_URL) to its user's URL.
set -euo pipefail

out=${1:?usage: make-acl.sh OUT_FILE [PREFIX] [HOST:PORT]}
prefix=${2:-orion}
address=${3:-127.0.0.1:6379}
template="$(dirname "$0")/users.acl"

if [[ ! "$prefix" =~ ^[A-Za-z0-9_.-]+$ ]]; then
  echo "make-acl.sh: the prefix may hold letters, digits, '_', '-' and '.' only" >&2
  exit 2
fi

umask 077
tmp=$(mktemp "${out}.XXXXXX")
trap 'rm -f "$tmp"' EXIT
while IFS= read -r line; do
  if [[ "$line" =~ ^user\ ([^ ]+)\ off\ resetpass\ (.*)$ ]]; then
    name=${BASH_REMATCH[1]}
    rights=${BASH_REMATCH[2]//orion:/${prefix}:}
    if [[ "$name" == "default" ]]; then
      echo "user default off resetpass $rights" >>"$tmp"
      continue
    fi
    password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
    hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
    echo "user $name on resetpass #$hash $rights" >>"$tmp"
    echo "$name: redis://$name:$password@$address"
  fi
done <"$template"
mv "$tmp" "$out"
trap - EXIT
