#include "api/admin_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <filesystem>

#include "signing/secret_file.h"

namespace orion::api {

Result<std::optional<AdminToken>> AdminToken::load(const std::string& configured,
                                                   const std::string& state_dir) {
  if (configured.empty()) return std::optional<AdminToken>();
  std::filesystem::path file = configured;
  if (file.is_relative() && !state_dir.empty()) file = std::filesystem::path(state_dir) / file;
  auto read = signing::readSecretFile(file, "the admin token");
  if (!read) return read.status().withContext("api.admin_token_file");
  const std::string& token = *read;
  std::string name = "api.admin_token_file: the admin token " + file.string();
  if (token.size() < kMinAdminTokenBytes) {
    return invalidArgument(name + " has " + std::to_string(token.size()) +
                           " bytes; it needs at least " + std::to_string(kMinAdminTokenBytes) +
                           " (e.g. `head -c 32 /dev/urandom | base64 > " + file.string() +
                           "; chmod 600 " + file.string() + "`)");
  }
  for (unsigned char c : token) {
    // A Bearer token is one word (RFC 6750 b64token); a space or a control byte inside would
    // make a token nobody can send.
    if (c <= 0x20 || c >= 0x7f) {
      return invalidArgument(name +
                             " contains whitespace or a byte that is not visible ASCII; it must "
                             "be one word (base64 or hex)");
    }
  }
  return std::optional<AdminToken>(AdminToken(digestOf(token)));
}

AdminToken AdminToken::fromBytes(std::string_view token) { return AdminToken(digestOf(token)); }

AdminToken::Digest AdminToken::digestOf(std::string_view bytes) {
  Digest digest{};
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return digest;
}

bool AdminToken::matches(std::string_view presented) const {
  Digest candidate = digestOf(presented);
  return CRYPTO_memcmp(candidate.data(), digest_.data(), digest_.size()) == 0;
}

}  // namespace orion::api
