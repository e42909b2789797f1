// The admin key: the secret that makes an approval an approval. One per deployment; the admin
// holds it (the CLI signs answers with it), and so do the processes that verify answers (the
// approval coordinator and every commander). A process that can write to the bus but cannot read
// the key cannot forge an approval (docs/approvals.md).
//
// The key is a file (config `approval.admin_key_file`) of at least 16 bytes, readable only by its
// owner: a key file with any group or world permission bit is refused, so ORION does not start.
//
// Thread-safety: an AdminKey is immutable after load(); share it freely.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orion::signing {

inline constexpr size_t kMinKeyBytes = 16;

class AdminKey {
 public:
  // Reads `file`: its bytes without one trailing newline. kPermissionDenied when the file is
  // readable or writable by group or others, kInvalidArgument when the key is shorter than
  // kMinKeyBytes, kNotFound/kUnavailable when it cannot be read; messages name the file.
  static Result<AdminKey> load(const std::filesystem::path& file);
  // A key from bytes (tests, benchmarks).
  static AdminKey fromBytes(std::string bytes, std::string origin = "(in memory)");

  // "hmac-sha256:<64 hex>" of `payload` under the key.
  std::string sign(std::string_view payload) const;
  // True when `signature` is sign(payload); compared in constant time.
  bool verify(std::string_view payload, std::string_view signature) const;

  // Where the key came from (its file), for messages. Never the key itself.
  const std::string& origin() const { return origin_; }

 private:
  AdminKey(std::string bytes, std::string origin)
      : bytes_(std::move(bytes)), origin_(std::move(origin)) {}
  std::string bytes_;
  std::string origin_;
};

// The configured admin key (`approval.admin_key_file`): nullopt when `configured` is empty, else
// AdminKey::load() of it, a relative path taken under `state_dir`. Errors as load()'s, with the
// context "approval.admin_key_file".
Result<std::optional<AdminKey>> loadConfiguredKey(const std::string& configured,
                                                  const std::string& state_dir);

// "sha256:<64 hex>" of `data`.
std::string sha256Hex(std::string_view data);

}  // namespace orion::signing
