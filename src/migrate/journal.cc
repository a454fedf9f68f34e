#include "migrate/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "util/base64.h"
#include "util/durable_file.h"
#include "util/utc_time.h"
#include "util/read_file.h"

namespace ketcd::migrate {
namespace {

using Json = nlohmann::json;
constexpr char kJournalTag[] = "ketcd-migrate";

Json HeaderJson(const JournalHeader& header) {
  const std::string started = Rfc3339Utc(std::time(nullptr));
  return {{"journal", kJournalTag}, {"version", 1},  {"migration", header.migration},
          {"from", header.from},    {"to", header.to}, {"started", started}};
}

// A journal may be damaged (a disk, an editor): fields of the wrong JSON
// type are kDataLoss like any other damage, never an exception.
bool IsStringList(const Json& json) {
  if (!json.is_array()) return false;
  for (const Json& item : json) {
    if (!item.is_string()) return false;
  }
  return true;
}

Result<JournalHeader> ParseHeader(const Json& json) {
  const auto tag = json.find("journal"), version = json.find("version");
  if (tag == json.end() || *tag != kJournalTag || version == json.end() || *version != 1) {
    return DataLoss("not a ketcd migration journal");
  }
  const auto migration = json.find("migration"), from = json.find("from"), to = json.find("to");
  if (migration == json.end() || !migration->is_string() || from == json.end() || !IsStringList(*from) ||
      to == json.end() || !IsStringList(*to)) {
    return DataLoss("journal header without migration/from/to");
  }
  return JournalHeader{migration->get<std::string>(), from->get<std::vector<std::string>>(),
                       to->get<std::vector<std::string>>()};
}

Result<JournalRecord> ParseRecord(const Json& json) {
  JournalRecord record;
  const auto key = json.find("key"), new_key = json.find("new_key"), revision = json.find("mod_revision");
  const auto old_value = json.find("old"), new_value = json.find("new");
  if (key == json.end() || !key->is_string() || old_value == json.end() || !old_value->is_string() ||
      new_value == json.end() || !new_value->is_string()) {
    return DataLoss("record without key/old/new");
  }
  if ((new_key != json.end() && !new_key->is_string()) ||
      (revision != json.end() && !revision->is_number_integer())) {
    return DataLoss("record with a malformed new_key or mod_revision");
  }
  record.key = key->get<std::string>();
  if (new_key != json.end()) record.new_key = new_key->get<std::string>();
  if (revision != json.end()) record.mod_revision = revision->get<int64_t>();
  if (!Base64Decode(old_value->get<std::string>(), &record.old_value) ||
      !Base64Decode(new_value->get<std::string>(), &record.new_value)) {
    return DataLoss("record with bad base64");
  }
  return record;
}

}  // namespace

Result<JournalWriter> JournalWriter::Open(const std::string& path, const JournalHeader& header) {
  // A line cut short by a crash (or a full disk) was never acted on: it is
  // cut off before this run appends, so every line stays whole. A journal
  // without one whole line (cut in its first header) is started afresh.
  uint64_t keep = 0;
  const bool exists = ::access(path.c_str(), F_OK) == 0;
  if (exists) {
    auto text = ReadWholeFile(path);
    if (!text.ok()) return text.status();
    keep = text->rfind('\n') == std::string::npos ? 0 : text->rfind('\n') + 1;
    if (keep > 0) {
      auto existing = ReadJournal(path);
      if (!existing.ok()) return existing.status().WithContext(path);
      if (!(existing->header == header)) {
        return InvalidArgument(path + " is the journal of another migration (" + existing->header.migration +
                               "); give a new --journal path");
      }
    }
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return IoError(path + ": " + std::strerror(errno));
  JournalWriter writer(fd, path);
  if (::ftruncate(fd, static_cast<off_t>(keep)) != 0 || ::fsync(fd) != 0) {
    return IoError(path + ": cutting off a torn last line: " + std::strerror(errno));
  }
  if (!exists) KETCD_RETURN_IF_ERROR(SyncDirectoryOf(path));
  KETCD_RETURN_IF_ERROR(writer.WriteDurably(HeaderJson(header).dump() + "\n"));
  return writer;
}

JournalWriter::JournalWriter(JournalWriter&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status JournalWriter::Append(std::span<const JournalRecord> records) {
  std::string text;
  for (const JournalRecord& record : records) {
    Json json = {{"key", record.key}};
    if (!record.new_key.empty()) json["new_key"] = record.new_key;
    json["mod_revision"] = record.mod_revision;
    json["old"] = Base64Encode(record.old_value);
    json["new"] = Base64Encode(record.new_value);
    text += json.dump() + "\n";
  }
  return WriteDurably(text);
}

Status JournalWriter::WriteDurably(const std::string& text) {
  KETCD_RETURN_IF_ERROR(WriteAll(fd_, text, path_));
  if (::fdatasync(fd_) != 0) return IoError(path_ + ": fdatasync: " + std::strerror(errno));
  return Status::Ok();
}

Result<Journal> ReadJournal(const std::string& path) {
  auto read = ReadWholeFile(path);
  if (!read.ok()) return read.status();
  return ParseJournal(*read, path);
}

Result<Journal> ParseJournal(const std::string& text, const std::string& path) {
  Journal journal;
  bool have_header = false;
  size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    const size_t newline = text.find('\n', start);
    ++line_number;
    if (newline == std::string::npos) break;  // cut short by a crash: never acted on
    const std::string line = text.substr(start, newline - start);
    start = newline + 1;
    const Json json = Json::parse(line, nullptr, false);
    const std::string where = path + ": line " + std::to_string(line_number);
    if (json.is_discarded() || !json.is_object()) return DataLoss(where + ": not a JSON object");
    if (json.contains("journal")) {
      auto header = ParseHeader(json);
      if (!header.ok()) return header.status().WithContext(where);
      if (!have_header) journal.header = *header;
      have_header = true;
      continue;
    }
    if (!have_header) return DataLoss(where + ": not a ketcd migration journal");
    auto record = ParseRecord(json);
    if (!record.ok()) return record.status().WithContext(where);
    journal.records.push_back(std::move(*record));
  }
  if (!have_header) return DataLoss(path + ": empty or not a ketcd migration journal");
  return journal;
}

}  // namespace ketcd::migrate
