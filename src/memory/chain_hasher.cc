#include "memory/chain_hasher.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>

namespace orion::memory {
namespace {

constexpr size_t kBlock = 64;  // SHA-256 block size, as HMAC (RFC 2104) needs it

void check(int ok) {
  // Only an allocation failure inside OpenSSL gets here; a hash we cannot compute would make
  // every later record unverifiable, so stop rather than write a wrong chain.
  if (ok != 1) std::abort();
}

const char kHex[] = "0123456789abcdef";

}  // namespace

void writeHex(char (&out)[64], const Digest& digest) {
  for (size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0x0f];
  }
}

void appendHex(std::string& out, const Digest& digest) {
  char hex[64];
  writeHex(hex, digest);
  out.append(hex, sizeof hex);
}

std::optional<Digest> digestFromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Digest digest{};
  for (size_t i = 0; i < digest.size(); ++i) {
    int high = value(hex[2 * i]);
    int low = value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return digest;
}

std::string hexDigest(const Digest& digest) {
  std::string out;
  appendHex(out, digest);
  return out;
}

// Pre-initialised contexts copied for each hash: for HMAC the inner and outer states after
// absorbing the padded key, so a record costs two copies and the hashing of its own bytes.
struct ChainHasher::Contexts {
  EVP_MD* md = nullptr;
  EVP_MD_CTX* inner = nullptr;  // SHA-256 initialised (and fed key ^ ipad when keyed)
  EVP_MD_CTX* outer = nullptr;  // fed key ^ opad (keyed only)
  EVP_MD_CTX* work = nullptr;

  Contexts() {
    md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    inner = EVP_MD_CTX_new();
    outer = EVP_MD_CTX_new();
    work = EVP_MD_CTX_new();
    if (md == nullptr || inner == nullptr || outer == nullptr || work == nullptr) std::abort();
    check(EVP_DigestInit_ex(inner, md, nullptr));
  }
  ~Contexts() {
    EVP_MD_CTX_free(work);
    EVP_MD_CTX_free(outer);
    EVP_MD_CTX_free(inner);
    EVP_MD_free(md);
  }
};

ChainHasher::ChainHasher(std::optional<std::string> key) : contexts_(std::make_unique<Contexts>()) {
  if (!key) return;
  keyed_ = true;
  std::string block = *key;
  if (block.size() > kBlock) {
    Digest shortened = sha256(block);
    block.assign(reinterpret_cast<const char*>(shortened.data()), shortened.size());
  }
  block.resize(kBlock, '\0');
  std::string ipad(kBlock, '\0');
  std::string opad(kBlock, '\0');
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = static_cast<char>(block[i] ^ 0x36);
    opad[i] = static_cast<char>(block[i] ^ 0x5c);
  }
  check(EVP_DigestUpdate(contexts_->inner, ipad.data(), ipad.size()));
  check(EVP_DigestInit_ex(contexts_->outer, contexts_->md, nullptr));
  check(EVP_DigestUpdate(contexts_->outer, opad.data(), opad.size()));
  std::memset(block.data(), 0, block.size());
}

ChainHasher::~ChainHasher() = default;

Digest ChainHasher::hash2(std::string_view first, std::string_view second) const {
  Contexts& c = *contexts_;
  Digest digest{};
  check(EVP_MD_CTX_copy_ex(c.work, c.inner));
  check(EVP_DigestUpdate(c.work, first.data(), first.size()));
  if (!second.empty()) check(EVP_DigestUpdate(c.work, second.data(), second.size()));
  check(EVP_DigestFinal_ex(c.work, digest.data(), nullptr));
  if (!keyed_) return digest;
  check(EVP_MD_CTX_copy_ex(c.work, c.outer));
  check(EVP_DigestUpdate(c.work, digest.data(), digest.size()));
  check(EVP_DigestFinal_ex(c.work, digest.data(), nullptr));
  return digest;
}

namespace {

// Fetched once: EVP_sha256() makes every call look the algorithm up again, which costs as much as
// hashing a record (the duplicate key of every record is hashed here).
const EVP_MD* sha256Algorithm() {
  static EVP_MD* const kSha256 = [] {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) std::abort();
    return md;
  }();
  return kSha256;
}

}  // namespace

Digest ChainHasher::sha256(std::string_view data) { return sha256({data}); }

Digest ChainHasher::sha256(std::initializer_list<std::string_view> parts) {
  // One context per thread, reused: a new one per call costs an allocation and reference-count
  // updates on the algorithm, a third of hashing a whole record.
  struct ThreadContext {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    ~ThreadContext() { EVP_MD_CTX_free(context); }
  };
  thread_local ThreadContext thread;
  if (thread.context == nullptr) std::abort();
  Digest digest{};
  check(EVP_DigestInit_ex(thread.context, sha256Algorithm(), nullptr));
  for (std::string_view part : parts) {
    check(EVP_DigestUpdate(thread.context, part.data(), part.size()));
  }
  check(EVP_DigestFinal_ex(thread.context, digest.data(), nullptr));
  return digest;
}

}  // namespace orion::memory
