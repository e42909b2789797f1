// The HTTP API's admin token (config `api.admin_token_file`): the bearer secret the admin
// endpoints require (docs/api.md, "Admin endpoints").
//
// The file must be readable by its owner only (signing/secret_file.h) and hold one word of at
// least kMinAdminTokenBytes visible ASCII characters (one trailing newline is ignored), e.g.
// `head -c 32 /dev/urandom | base64 > api.token; chmod 600 api.token`. It is read once, when the
// API starts; a new token takes effect at the next start.
//
// Thread-safety: immutable after load(); matches() may be called from any thread.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orion::api {

inline constexpr size_t kMinAdminTokenBytes = 32;

class AdminToken {
 public:
  // The configured token: nullopt when `configured` is empty (the admin endpoints are off), else
  // the file, a relative path taken under `state_dir`. Errors name api.admin_token_file and the
  // file: kPermissionDenied when group or others have any permission on it ("chmod 600 it"),
  // kNotFound when it does not exist, kInvalidArgument when the token is too short or is not one
  // word of visible ASCII.
  static Result<std::optional<AdminToken>> load(const std::string& configured,
                                                const std::string& state_dir);
  static AdminToken fromBytes(std::string_view token);  // tests

  // Whether `presented` is the token. Both are hashed (SHA-256) and the digests compared with
  // CRYPTO_memcmp, so the time taken tells nothing about the token or its length.
  bool matches(std::string_view presented) const;

 private:
  using Digest = std::array<unsigned char, 32>;
  explicit AdminToken(const Digest& digest) : digest_(digest) {}
  static Digest digestOf(std::string_view bytes);
  Digest digest_;  // the token itself is not kept
};

}  // namespace orion::api
