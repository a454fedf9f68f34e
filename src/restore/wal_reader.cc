#include "restore/wal_reader.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "util/read_file.h"

namespace ketcd::restore {
namespace {

// Visits the records of one segment up to its end of log.
Status ReadSegment(const std::string& path,
                   const std::function<Status(const walpb::Record&)>& visit) {
  auto bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  const std::string& data = *bytes;
  for (size_t at = 0; at + 8 <= data.size();) {
    uint64_t frame = 0;
    for (int i = 7; i >= 0; --i) frame = frame << 8 | static_cast<uint8_t>(data[at + i]);
    if (frame == 0) break;
    const uint64_t length = frame & ((uint64_t{1} << 56) - 1);
    const uint64_t padding = (frame >> 63) ? (frame >> 56) & 0x7 : 0;
    if (length > data.size() - at - 8) break;  // torn tail
    walpb::Record record;
    if (!record.ParseFromArray(data.data() + at + 8, static_cast<int>(length))) break;
    KETCD_RETURN_IF_ERROR(visit(record));
    at += 8 + length + padding;
  }
  return Status::Ok();
}

}  // namespace

Status ForEachWalRecord(const std::string& wal_dir,
                        const std::function<Status(const walpb::Record&)>& visit) {
  std::error_code error;
  std::vector<std::string> segments;
  for (const auto& entry : std::filesystem::directory_iterator(wal_dir, error)) {
    if (entry.path().extension() == ".wal") segments.push_back(entry.path().string());
  }
  if (error) return IoError(wal_dir + ": " + error.message());
  if (segments.empty()) return NotFound(wal_dir + ": no WAL segment");
  std::sort(segments.begin(), segments.end());
  for (const std::string& segment : segments) KETCD_RETURN_IF_ERROR(ReadSegment(segment, visit));
  return Status::Ok();
}

}  // namespace ketcd::restore
