// The undo journal of a migration: every object's old value, appended and
// fsynced before the object is written, so whatever point a crash stops
// `migrate --apply` at, the journal holds each value that etcd may have
// lost. One JSON document per line:
//   {"journal":"ketcd-migrate","version":1,"migration":"service-cidr",
//    "from":["10.96.0.0/12"],"to":["172.24.0.0/16"],"started":"..."}   (one per run)
//   {"key":"...","new_key":"...","mod_revision":12,"old":"<base64>","new":"<base64>"}
// Re-running an interrupted apply appends to the same journal (its header
// must name the same migration), so one journal undoes all the runs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "util/status.h"

namespace ketcd::migrate {

struct JournalHeader {
  std::string migration;  // "service-cidr" | "pod-cidr"
  std::vector<std::string> from, to;
  bool operator==(const JournalHeader&) const = default;
};

struct JournalRecord {
  std::string key;
  std::string new_key;  // empty unless the object moves
  int64_t mod_revision = 0;  // of `key` when planned
  std::string old_value, new_value;
};

class JournalWriter {
 public:
  // Creates the journal (mode 0600, its directory fsynced), or opens it for
  // appending when it exists and its first header equals `header`
  // (kInvalidArgument otherwise); a last line cut short by a crash is cut
  // off first. Writes a header line for this run. This append-only file is
  // the one file ketcd writes outside util/durable_file.h's DurableFile: it
  // grows while the migration runs.
  static Result<JournalWriter> Open(const std::string& path, const JournalHeader& header);
  JournalWriter(JournalWriter&& other) noexcept;
  JournalWriter& operator=(JournalWriter&&) = delete;
  ~JournalWriter();

  // Appends the records and returns only once they are on disk.
  Status Append(std::span<const JournalRecord> records);

 private:
  JournalWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Status WriteDurably(const std::string& text);
  int fd_ = -1;
  std::string path_;
};

struct Journal {
  JournalHeader header;
  std::vector<JournalRecord> records;  // in the order they were written
};

// Reads a journal. A last line cut short (a crash while appending: its
// object was never written) is ignored; any other damage is kDataLoss.
Result<Journal> ReadJournal(const std::string& path);
// The same for a journal's text; `path` names it in messages.
Result<Journal> ParseJournal(const std::string& text, const std::string& path);

}  // namespace ketcd::migrate
