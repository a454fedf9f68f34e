// Where backups are stored. Every store offers the same four operations;
// an object becomes visible under its name only once completely written,
// so a backup interrupted mid-upload is never listed. (Directory here; S3
// and Azure Blob implement the same interface.)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backup/byte_stream.h"

namespace ketcd::backup {

class Destination {
 public:
  virtual ~Destination() = default;
  virtual std::string Describe() const = 0;  // for messages: "dir:/backups"
  // A sink for object `name`; Finish() publishes it.
  virtual Result<std::unique_ptr<ByteSink>> Create(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> List() = 0;  // published names
  virtual Status Read(const std::string& name, ByteSink& out) = 0;
  virtual Status Remove(const std::string& name) = 0;
};

// "dir:/path" or a plain path: a directory (created if missing). Objects
// are written as .NAME.part, fsynced and renamed.
Result<std::unique_ptr<Destination>> OpenDestination(const std::string& url);

}  // namespace ketcd::backup
