// Where backups are stored. Every store offers the same four operations;
// an object becomes visible under its name only once completely written,
// so a backup interrupted mid-upload is never listed: a directory renames
// NAME.part, S3 completes a multipart upload, Azure commits a block list.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backup/byte_stream.h"

namespace ketcd::backup {

class Destination {
 public:
  virtual ~Destination() = default;
  virtual std::string Describe() const = 0;  // its URL, for messages and metrics
  // A sink for object `name`; Finish() publishes it, destroying the sink
  // before that abandons the object.
  virtual Result<std::unique_ptr<ByteSink>> Create(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> List() = 0;  // published names
  virtual Status Read(const std::string& name, ByteSink& out) = 0;
  virtual Status Remove(const std::string& name) = 0;
};

struct DestinationConfig {
  // "/path" or "dir:/path", "s3://bucket[/prefix]", "azblob://container[/prefix]".
  std::string url;
  // Store settings (endpoint, region, credentials...): docs/backups.md.
  std::map<std::string, std::string> settings;
};

Result<std::unique_ptr<Destination>> OpenDestination(const DestinationConfig& config);
// Every one of `configs`, in order; the first that cannot be opened fails all.
Result<std::vector<std::unique_ptr<Destination>>> OpenDestinations(const std::vector<DestinationConfig>& configs);

// The stores behind OpenDestination; `path` is the URL without its scheme.
Result<std::unique_ptr<Destination>> OpenDirectoryDestination(const std::string& path);
Result<std::unique_ptr<Destination>> OpenS3Destination(const std::string& path, const DestinationConfig& config);
Result<std::unique_ptr<Destination>> OpenAzureBlobDestination(const std::string& path, const DestinationConfig& config);

}  // namespace ketcd::backup
