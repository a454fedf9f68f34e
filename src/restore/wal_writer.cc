#include "restore/wal_writer.h"

#include <filesystem>

#include "restore/wal_reader.h"
#include "util/crc32c.h"
#include "util/durable_file.h"

namespace ketcd::restore {
namespace {

// Appends framed records to a buffer, chaining the CRC as etcd's encoder.
class RecordEncoder {
 public:
  // A record without data (the crc record).
  void AddEmpty(WalRecordType type) { AddRecord(type, nullptr); }
  template <typename Message>
  void Add(WalRecordType type, const Message& message) {
    const std::string data = message.SerializeAsString();
    AddRecord(type, &data);
  }
  const std::string& bytes() const { return out_; }

 private:
  void AddRecord(WalRecordType type, const std::string* data) {
    walpb::Record record;
    record.set_type(type);
    if (data != nullptr) {
      crc_.Update(*data);
      record.set_data(*data);
    }
    record.set_crc(crc_.value());
    const std::string bytes = record.SerializeAsString();
    const size_t pad = (8 - bytes.size() % 8) % 8;
    uint64_t length = bytes.size();
    if (pad != 0) length |= uint64_t{0x80 | pad} << 56;
    for (int i = 0; i < 8; ++i) out_ += static_cast<char>(length >> (8 * i));
    out_ += bytes;
    out_.append(pad, '\0');
  }

  // A new log's CRC starts at 0 (the crc record carries it).
  Crc32c crc_;
  std::string out_;
};

}  // namespace

Status WriteInitialWal(const std::string& dir, const InitialWal& wal) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::exists(dir, error)) return InvalidArgument(dir + ": already exists");
  const std::string staging = dir + ".tmp";
  fs::remove_all(staging, error);
  fs::create_directories(staging, error);
  // Private, as etcd creates it.
  if (!error) fs::permissions(staging, fs::perms::owner_all, fs::perm_options::replace, error);
  if (error) return IoError(staging + ": " + error.message());

  RecordEncoder encoder;
  encoder.AddEmpty(kWalCrc);
  encoder.Add(kWalMetadata, wal.metadata);
  walpb::Snapshot empty;
  empty.set_index(0);
  empty.set_term(0);
  encoder.Add(kWalSnapshot, empty);
  for (const auto& entry : wal.entries) encoder.Add(kWalEntry, entry);
  encoder.Add(kWalState, wal.state);
  encoder.Add(kWalSnapshot, wal.snapshot);
  if (encoder.bytes().size() > kWalSegmentBytes) return Internal("WAL records exceed a segment");
  // etcd preallocates the segment; the zeros after the records end the log.
  auto segment = DurableFile::Create(staging + "/0000000000000000-0000000000000000.wal", 0600);
  if (!segment.ok()) return segment.status();
  KETCD_RETURN_IF_ERROR(segment->Write(encoder.bytes()));
  KETCD_RETURN_IF_ERROR(segment->Resize(kWalSegmentBytes));
  KETCD_RETURN_IF_ERROR(segment->Commit());
  return RenameDurably(staging, dir);
}

}  // namespace ketcd::restore
