// A private temporary directory (mode 0700, a name nobody can predict:
// mkdtemp) for files that hold keyspace data while ketcd works on them:
// staged backups, snapshots fetched for a restore or a verification.
// Removed with everything in it when the object goes.
#pragma once

#include <string>

namespace ketcd {

class PrivateDir {
 public:
  // Under `parent`, or $TMPDIR, or /tmp. path() is empty when it could not
  // be made.
  explicit PrivateDir(const std::string& parent = "");
  ~PrivateDir();
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ketcd
