#include "signing/admin_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "signing/secret_file.h"

namespace orion::signing {
namespace {

std::string hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xf]);
  }
  return out;
}

}  // namespace

Result<AdminKey> AdminKey::load(const std::filesystem::path& file) {
  std::string name = "the admin key " + file.string();
  auto read = readSecretFile(file, "the admin key");
  if (!read) return read.status();
  std::string key = std::move(read).value();
  if (key.size() < kMinKeyBytes) {
    return invalidArgument(name + " has " + std::to_string(key.size()) +
                           " bytes; it needs at least " + std::to_string(kMinKeyBytes) +
                           " (e.g. `head -c 32 /dev/urandom | base64 > key; chmod 600 key`)");
  }
  return AdminKey(std::move(key), file.string());
}

AdminKey AdminKey::fromBytes(std::string bytes, std::string origin) {
  return AdminKey(std::move(bytes), std::move(origin));
}

std::string AdminKey::sign(std::string_view payload) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), bytes_.data(), static_cast<int>(bytes_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), digest, &size);
  return "hmac-sha256:" + hex(digest, size);
}

bool AdminKey::verify(std::string_view payload, std::string_view signature) const {
  std::string expected = sign(payload);
  return expected.size() == signature.size() &&
         CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
}

Result<std::optional<AdminKey>> loadConfiguredKey(const std::string& configured,
                                                  const std::string& state_dir) {
  if (configured.empty()) return std::optional<AdminKey>();
  std::filesystem::path file = configured;
  if (file.is_relative() && !state_dir.empty()) file = std::filesystem::path(state_dir) / file;
  auto key = AdminKey::load(file);
  if (!key) return key.status().withContext("approval.admin_key_file");
  return std::optional<AdminKey>(std::move(key).value());
}

std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return "sha256:" + hex(digest, size);
}

}  // namespace orion::signing
