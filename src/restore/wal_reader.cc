#include "restore/wal_reader.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "util/crc32c.h"
#include "util/read_file.h"
#include "util/varint.h"

namespace ketcd::restore {
namespace {

constexpr size_t kFrameBytes = 8;
constexpr size_t kSectorBytes = 512;  // etcd's minSectorSize

// walpb.Record from its wire bytes; false when they do not parse.
bool ParseRecord(std::string_view bytes, WalRecord& record) {
  record = WalRecord{};
  while (!bytes.empty()) {
    uint64_t tag, value;
    if (!ReadVarint(bytes, &tag)) return false;
    switch (tag & 7) {
      case 0:
        if (!ReadVarint(bytes, &value)) return false;
        if ((tag >> 3) == 1) record.type = static_cast<int64_t>(value);
        if ((tag >> 3) == 2) record.crc = static_cast<uint32_t>(value);
        break;
      case 1:
        if (bytes.size() < 8) return false;
        bytes.remove_prefix(8);
        break;
      case 2:
        if (!ReadVarint(bytes, &value) || value > bytes.size()) return false;
        if ((tag >> 3) == 3) record.data = bytes.substr(0, value);
        bytes.remove_prefix(value);
        break;
      case 5:
        if (bytes.size() < 4) return false;
        bytes.remove_prefix(4);
        break;
      default:
        return false;
    }
  }
  return true;
}

// etcd's isTornEntry: a write cut short by a crash leaves whole sectors of
// zeros where the record should be.
bool HasZeroSector(std::string_view record_and_padding, uint64_t file_offset) {
  size_t at = 0;
  while (at < record_and_padding.size()) {
    const size_t chunk = std::min(kSectorBytes - file_offset % kSectorBytes, record_and_padding.size() - at);
    const std::string_view sector = record_and_padding.substr(at, chunk);
    if (std::all_of(sector.begin(), sector.end(), [](char c) { return c == 0; })) return true;
    at += chunk;
    file_offset += chunk;
  }
  return false;
}

// "%016x-%016x.wal": the segment's sequence number.
std::optional<uint64_t> SequenceOf(const std::string& name) {
  uint64_t sequence, index;
  int consumed = 0;
  if (name.size() != 37 ||
      std::sscanf(name.c_str(), "%16" SCNx64 "-%16" SCNx64 ".wal%n", &sequence, &index, &consumed) != 2 ||
      consumed != 37) {
    return std::nullopt;
  }
  return sequence;
}

}  // namespace

std::string WalDamage::Describe() const {
  return segment + " at offset " + std::to_string(offset) + ": " + why +
         (kind == Kind::kTornTail ? " (a torn write at the end of the log, which etcd truncates)" : "");
}

Result<WalSegmentRead> ScanWalSegment(std::string_view bytes, const std::string& name, bool last, uint32_t crc,
                                      const std::function<Status(const WalRecord&)>& visit) {
  WalSegmentRead read;
  Crc32c running = Crc32c::Continuing(crc);
  auto stop = [&](uint64_t offset, bool torn, std::string why) {
    read.damage = WalDamage{torn ? WalDamage::Kind::kTornTail : WalDamage::Kind::kCorrupt, name, offset, std::move(why)};
  };
  uint64_t offset = 0;
  while (offset + kFrameBytes <= bytes.size()) {
    uint64_t frame = 0;
    for (int i = 7; i >= 0; --i) frame = frame << 8 | static_cast<uint8_t>(bytes[offset + i]);
    if (frame == 0) break;
    const uint64_t length = frame & ((uint64_t{1} << 56) - 1);
    const uint64_t padding = (frame >> 63) ? (frame >> 56) & 0x7 : 0;
    const uint64_t room = bytes.size() - offset - kFrameBytes;
    if (length > room || padding > room - length) {
      // etcd: io.ErrUnexpectedEOF, repaired only at the end of the log.
      stop(offset, last, "a record of " + std::to_string(length) + " bytes runs past the end of the file");
      break;
    }
    const std::string_view stored = bytes.substr(offset + kFrameBytes, length + padding);
    WalRecord record;
    if (!ParseRecord(stored.substr(0, length), record)) {
      const bool torn = last && HasZeroSector(stored, offset + kFrameBytes);
      stop(offset, torn, "the record does not parse");
      break;
    }
    if (record.type == kWalCrc) {
      // The chain from the segment before (0 for the log's first record).
      if (running.value() != 0 && record.crc != running.value()) {
        stop(offset, false, "CRC mismatch: the crc record says " + std::to_string(record.crc) +
                                ", the segments before reach " + std::to_string(running.value()));
        break;
      }
      running = Crc32c::Continuing(record.crc);
    } else {
      running.Update(record.data);
      if (record.crc != running.value()) {
        const bool torn = last && HasZeroSector(stored, offset + kFrameBytes);
        stop(offset, torn, "CRC mismatch (record type " + std::to_string(record.type) + ")");
        break;
      }
    }
    KETCD_RETURN_IF_ERROR(visit(record));
    ++read.records;
    offset += kFrameBytes + length + padding;
  }
  if (!read.damage && offset < bytes.size() && offset + kFrameBytes > bytes.size() &&
      bytes.substr(offset).find_first_not_of('\0') != std::string_view::npos) {
    stop(offset, last, "a frame cut short");
  }
  read.crc = running.value();
  return read;
}

Result<WalScan> ScanWal(const std::string& wal_dir, const std::function<Status(const WalRecord&)>& visit) {
  std::error_code error;
  std::vector<std::pair<uint64_t, std::string>> segments;
  for (const auto& entry : std::filesystem::directory_iterator(wal_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".wal") continue;
    auto sequence = SequenceOf(name);
    if (!sequence) return DataLoss(wal_dir + "/" + name + ": not a WAL segment name (SEQ-INDEX.wal in hex)");
    segments.emplace_back(*sequence, name);
  }
  if (error) return IoError(wal_dir + ": " + error.message());
  if (segments.empty()) return NotFound(wal_dir + ": no WAL segment");
  std::sort(segments.begin(), segments.end());
  WalScan scan;
  uint32_t crc = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    const auto& [sequence, name] = segments[i];
    if (i > 0 && sequence != segments[i - 1].first + 1) {
      scan.damage = WalDamage{WalDamage::Kind::kCorrupt, name, 0,
                              "a gap in the segment sequence: " + segments[i - 1].second + " is followed by " + name};
      break;
    }
    auto bytes = ReadWholeFile(wal_dir + "/" + name);
    if (!bytes.ok()) return bytes.status();
    auto read = ScanWalSegment(*bytes, name, i + 1 == segments.size(), crc, visit);
    if (!read.ok()) return read.status();
    ++scan.segments;
    scan.records += read->records;
    crc = read->crc;
    if (read->damage) {
      scan.damage = std::move(read->damage);
      break;
    }
  }
  return scan;
}

}  // namespace ketcd::restore
