#include "migrate/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "util/base64.h"
#include "util/new_file.h"
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

Result<JournalHeader> ParseHeader(const Json& json) {
  if (!json.is_object() || json.value("journal", "") != kJournalTag || json.value("version", 0) != 1) {
    return DataLoss("not a ketcd migration journal");
  }
  return JournalHeader{json.value("migration", ""), json.value("from", std::vector<std::string>{}),
                       json.value("to", std::vector<std::string>{})};
}

Result<JournalRecord> ParseRecord(const Json& json) {
  JournalRecord record;
  if (!json.is_object() || !json.contains("key") || !json.contains("old") || !json.contains("new") ||
      !json["key"].is_string() || !json["old"].is_string() || !json["new"].is_string()) {
    return DataLoss("record without key/old/new");
  }
  record.key = json["key"];
  record.new_key = json.value("new_key", "");
  record.mod_revision = json.value("mod_revision", int64_t{0});
  if (!Base64Decode(json["old"].get<std::string>(), &record.old_value) ||
      !Base64Decode(json["new"].get<std::string>(), &record.new_value)) {
    return DataLoss("record with bad base64");
  }
  return record;
}

}  // namespace

Result<JournalWriter> JournalWriter::Open(const std::string& path, const JournalHeader& header) {
  if (::access(path.c_str(), F_OK) == 0) {
    auto existing = ReadJournal(path);
    if (!existing.ok()) return existing.status().WithContext(path);
    if (!(existing->header == header)) {
      return InvalidArgument(path + " is the journal of another migration (" + existing->header.migration +
                             "); give a new --journal path");
    }
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return IoError(path + ": " + std::strerror(errno));
  JournalWriter writer(fd, path);
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
  const std::string& text = *read;
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
    if (json.is_discarded()) return DataLoss(where + ": not JSON");
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
