// Real object stores for backup tests, started on a free loopback port:
// s3rver (S3) and Azurite (Azure Blob), npm packages that
// scripts/install-deps puts in build/npm. Stopped with the test.
#pragma once

#include <memory>
#include <string>

#include "support/process.h"
#include "util/status.h"

namespace ketcd::testing {

enum class StoreKind { kS3, kAzureBlob };
// kSasToken: an account SAS instead of the key (Azure Blob only).
enum class Credentials { kValid, kWrong, kSasToken, kWrongSasToken };

class ObjectStore {
 public:
  // NotFound when the npm packages are not installed (tests skip).
  static Result<std::unique_ptr<ObjectStore>> Start(StoreKind kind, const std::string& dir);
  ~ObjectStore();

  // backup.yaml destination entry (YAML, indented for a list item).
  std::string DestinationYaml(const std::string& prefix, Credentials credentials = Credentials::kValid) const;
  std::string url(const std::string& prefix) const;
  std::string endpoint() const;  // http://127.0.0.1:PORT

  void Kill();       // the store dies (S3: SIGKILL; Azurite: SIGTERM, see .cc)
  Status Restart();  // same port, same data
  // Bytes the store process has read (sockets included): how far an
  // upload has come.
  long BytesRead() const;

 private:
  ObjectStore(StoreKind kind, std::string dir, int port) : kind_(kind), dir_(std::move(dir)), port_(port) {}
  Status Launch();
  StoreKind kind_;
  std::string dir_;
  int port_;
  BackgroundProcess process_;
};

}  // namespace ketcd::testing
