// How ketcd writes files: every file it creates goes through DurableFile
// (or WriteFileDurably), except the migration journal, which is append-only
// by design (migrate/journal.h).
//
// Guarantees:
// - The bytes go to "PATH.part", created with O_CREAT|O_EXCL|O_NOFOLLOW and
//   the mode given (0600 for anything that holds keyspace data or secrets),
//   so a file or symlink someone placed there is never written through or
//   truncated: Create fails instead, naming it. A part an interrupted run
//   left (a plain file of this user) is removed and made anew.
// - PATH appears only in Commit(), complete: the part is fsynced, renamed to
//   PATH and the directory fsynced, so after Commit() returns the file
//   survives a crash, and before it PATH is untouched (absent, or its old
//   content when replacing is allowed).
// - Any failure, and destroying a DurableFile without Commit(), removes the
//   part: nothing half-written is left behind under either name.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace ketcd {

class DurableFile {
 public:
  enum class Existing { kRefuse, kReplace };

  // Starts PATH.part. With kRefuse, an existing PATH is an error now (and
  // Commit() will not replace one that appears meanwhile).
  static Result<DurableFile> Create(const std::string& path, mode_t mode, Existing existing = Existing::kRefuse);
  DurableFile(DurableFile&& other) noexcept;
  DurableFile& operator=(DurableFile&& other) = delete;
  ~DurableFile();  // abandons: removes the part unless committed

  // Appends (short writes and EINTR retried).
  Status Write(std::string_view bytes);
  // Sets the size (zeros past the written bytes), as etcd preallocates a WAL.
  Status Resize(uint64_t size);
  // For writers that place pages themselves (pwrite); the part's descriptor.
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  const std::string& part_path() const { return part_; }

  // fsync, rename to PATH, fsync the directory.
  Status Commit();

 private:
  DurableFile(int fd, std::string path, Existing existing);
  void Abandon();

  int fd_ = -1;
  std::string path_, part_;
  Existing existing_ = Existing::kRefuse;
};

// The whole of `content` as PATH, through a DurableFile.
Status WriteFileDurably(const std::string& path, std::string_view content, mode_t mode,
                        DurableFile::Existing existing = DurableFile::Existing::kRefuse);

// Copies the file at `from` to a new file `to` through a DurableFile.
Status CopyFileDurably(const std::string& from, const std::string& to, mode_t mode);

// Renames `from` (a file or a directory whose content is already synced) to
// `to`, which must not exist, and fsyncs the directories of both.
Status RenameDurably(const std::string& from, const std::string& to);

// Writes all of `data` to `fd` (short writes and EINTR retried); errors
// name `name`.
Status WriteAll(int fd, std::string_view data, const std::string& name);

// fsyncs the directory holding `path`, so a file created or renamed there
// survives a crash.
Status SyncDirectoryOf(const std::string& path);

}  // namespace ketcd
