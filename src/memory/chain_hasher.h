// The hash of an audit record: SHA-256 of its body, or HMAC-SHA256 of it under the trail's key
// when one is configured (docs/audit_log_format.md, "Hashes"). OpenSSL underneath.
//
// A ChainHasher is not thread-safe (it reuses its OpenSSL contexts); each thread that hashes —
// the writer, a verifier, a reader — owns one. Construction cannot fail in practice; an OpenSSL
// failure (out of memory) aborts, since no record could be trusted afterwards.
#pragma once

#include <array>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace orion::memory {

// 32 raw bytes.
using Digest = std::array<unsigned char, 32>;

// 64 lower-case hex digits.
std::string hexDigest(const Digest& digest);
void appendHex(std::string& out, const Digest& digest);
void writeHex(char (&out)[64], const Digest& digest);
// The digest written as 64 hex digits (either case); std::nullopt for anything else.
std::optional<Digest> digestFromHex(std::string_view hex);

// The chain value before the first record: 64 zeros.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

class ChainHasher {
 public:
  // `key`: the HMAC key, or std::nullopt for plain SHA-256.
  explicit ChainHasher(std::optional<std::string> key = std::nullopt);
  ~ChainHasher();
  ChainHasher(const ChainHasher&) = delete;
  ChainHasher& operator=(const ChainHasher&) = delete;

  bool keyed() const { return keyed_; }

  // Hash of the concatenation of `parts` (SHA-256, or HMAC-SHA256 when keyed).
  Digest hash(std::string_view body) const { return hash2(body, {}); }
  Digest hash2(std::string_view first, std::string_view second) const;

  // Plain SHA-256, whatever the key (used where a keyed value is not wanted).
  static Digest sha256(std::string_view data);
  // Plain SHA-256 of the concatenation of `parts`.
  static Digest sha256(std::initializer_list<std::string_view> parts);

 private:
  struct Contexts;
  std::unique_ptr<Contexts> contexts_;
  bool keyed_ = false;
};

}  // namespace orion::memory
