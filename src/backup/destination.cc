#include "backup/destination.h"

namespace ketcd::backup {

Result<std::unique_ptr<Destination>> OpenDestination(const DestinationConfig& config) {
  const std::string& url = config.url;
  if (url.starts_with("s3://")) return OpenS3Destination(url.substr(5), config);
  if (url.starts_with("azblob://")) return OpenAzureBlobDestination(url.substr(9), config);
  if (url.starts_with("dir:")) return OpenDirectoryDestination(url.substr(4));
  if (url.find("://") != std::string::npos) {
    return InvalidArgument(url + ": unknown store (a directory, s3:// or azblob://)");
  }
  return OpenDirectoryDestination(url);
}

Result<std::vector<std::unique_ptr<Destination>>> OpenDestinations(const std::vector<DestinationConfig>& configs) {
  std::vector<std::unique_ptr<Destination>> destinations;
  for (const DestinationConfig& config : configs) {
    auto destination = OpenDestination(config);
    if (!destination.ok()) return destination.status();
    destinations.push_back(std::move(*destination));
  }
  return destinations;
}

}  // namespace ketcd::backup
