#include "state/state_log.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <limits>

namespace orion::state::log {

namespace {

void appendU32(uint32_t value, std::string& out) {
  char bytes[4] = {static_cast<char>(value & 0xff), static_cast<char>((value >> 8) & 0xff),
                   static_cast<char>((value >> 16) & 0xff),
                   static_cast<char>((value >> 24) & 0xff)};
  out.append(bytes, 4);
}

void appendBytes(std::string_view bytes, std::string& out) {
  appendU32(static_cast<uint32_t>(bytes.size()), out);
  out.append(bytes);
}

uint32_t readU32(std::string_view bytes, size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

uint32_t crcOf(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes a uInt length: feed very large payloads in pieces.
  while (!bytes.empty()) {
    size_t piece = std::min<size_t>(bytes.size(), std::numeric_limits<uInt>::max());
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(piece));
    bytes.remove_prefix(piece);
  }
  return static_cast<uint32_t>(crc);
}

// Reserves a record's header in `out`; finishRecord fills it in once the payload is appended.
size_t startRecord(std::string& out) {
  size_t at = out.size();
  out.append(kRecordHeaderBytes, '\0');
  return at;
}

void finishRecord(size_t at, std::string& out) {
  std::string_view payload = std::string_view(out).substr(at + kRecordHeaderBytes);
  std::string header;
  appendU32(static_cast<uint32_t>(payload.size()), header);
  appendU32(crcOf(payload), header);
  out.replace(at, kRecordHeaderBytes, header);
}

// Decodes a checked payload into its writes; false if it is malformed.
bool decodePayload(std::string_view payload, std::vector<WriteView>& writes) {
  size_t at = 0;
  auto field = [&](std::string_view& into) {
    if (payload.size() - at < 4) return false;
    uint32_t length = readU32(payload, at);
    at += 4;
    if (payload.size() - at < length) return false;
    into = payload.substr(at, length);
    at += length;
    return true;
  };
  while (at < payload.size()) {
    WriteView write{};
    switch (static_cast<unsigned char>(payload[at++])) {
      case 1:
        write.kind = Write::Kind::kPut;
        if (!field(write.table) || !field(write.key) || !field(write.value)) return false;
        break;
      case 2:
        write.kind = Write::Kind::kErase;
        if (!field(write.table) || !field(write.key)) return false;
        break;
      case 3:
        write.kind = Write::Kind::kClear;
        if (!field(write.table)) return false;
        break;
      default:
        return false;
    }
    writes.push_back(write);
  }
  return !writes.empty();
}

bool zerosFrom(std::string_view bytes, size_t at) {
  return std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.end(),
                     [](char c) { return c == '\0'; });
}

Status dataLoss(std::string message) { return {StatusCode::kDataLoss, std::move(message)}; }

}  // namespace

void appendHeader(std::string& out) {
  out.append(kMagic);
  appendU32(kVersion, out);
}

void appendRecord(std::span<const Write> writes, std::string& out, std::vector<size_t>* value_at) {
  size_t at = startRecord(out);
  for (const Write& write : writes) {
    switch (write.kind) {
      case Write::Kind::kPut:
        out.push_back(1);
        appendBytes(write.table, out);
        appendBytes(write.key, out);
        appendBytes(write.value, out);
        if (value_at) value_at->push_back(out.size() - write.value.size());
        break;
      case Write::Kind::kErase:
        out.push_back(2);
        appendBytes(write.table, out);
        appendBytes(write.key, out);
        break;
      case Write::Kind::kClear:
        out.push_back(3);
        appendBytes(write.table, out);
        break;
    }
  }
  finishRecord(at, out);
}

void appendPutRecord(std::string_view table,
                     std::span<const std::pair<std::string_view, std::string_view>> rows,
                     std::string& out, std::vector<size_t>* value_at) {
  size_t at = startRecord(out);
  for (const auto& [key, value] : rows) {
    out.push_back(1);
    appendBytes(table, out);
    appendBytes(key, out);
    appendBytes(value, out);
    if (value_at) value_at->push_back(out.size() - value.size());
  }
  finishRecord(at, out);
}

Result<Replayed> replay(std::string_view bytes,
                        const std::function<void(std::span<const WriteView>)>& apply) {
  Replayed replayed;
  if (bytes.size() < kHeaderBytes || bytes.substr(0, kMagic.size()) != kMagic) {
    return dataLoss("not a state store (no \"ORION state log\" header)");
  }
  if (uint32_t version = readU32(bytes, kMagic.size()); version > kVersion) {
    return dataLoss(
        fmt::format("written by a newer ORION (format version {}, this one reads up to {})",
                    version, kVersion));
  }
  size_t at = kHeaderBytes;
  std::vector<WriteView> writes;
  while (at < bytes.size()) {
    size_t left = bytes.size() - at;
    if (left < kRecordHeaderBytes) {
      replayed.torn_tail = fmt::format("{} bytes of a record header at offset {}", left, at);
      break;
    }
    uint32_t length = readU32(bytes, at);
    uint32_t crc = readU32(bytes, at + 4);
    if (left - kRecordHeaderBytes < length) {
      replayed.torn_tail = fmt::format("a record at offset {} claims {} bytes, {} are there", at,
                                       length, left - kRecordHeaderBytes);
      break;
    }
    std::string_view payload = bytes.substr(at + kRecordHeaderBytes, length);
    size_t end = at + kRecordHeaderBytes + length;
    // A file extended by an append whose data never reached the disk (a power loss) reads as
    // zeros from there on: a record of length 0 and CRC 0.
    if (length == 0 && zerosFrom(bytes, at)) {
      replayed.torn_tail = fmt::format("zero bytes from offset {}", at);
      break;
    }
    if (crcOf(payload) != crc) {
      std::string_view rest = bytes.substr(end);
      if (zerosFrom(bytes, end)) {
        replayed.torn_tail = fmt::format("the record at offset {} fails its checksum", at);
        break;
      }
      return dataLoss(fmt::format(
          "the record at offset {} fails its checksum and {} bytes follow it: the file is "
          "damaged",
          at, rest.size()));
    }
    writes.clear();
    if (!decodePayload(payload, writes)) {
      return dataLoss(fmt::format("the record at offset {} is malformed", at));
    }
    apply(writes);
    at = end;
  }
  replayed.good_bytes = at;
  return replayed;
}

}  // namespace orion::state::log
