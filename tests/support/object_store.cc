#include "support/object_store.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "backup/http_client.h"
#include "support/etcd_cluster.h"
#include "util/base64.h"
#include "util/sha256.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kBucket[] = "backups";
// Azurite's well-known development account (public, documented by Microsoft).
constexpr char kAzuriteAccount[] = "devstoreaccount1";
constexpr char kAzuriteKey[] =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

std::string NpmBin(const std::string& tool) { return std::string(KETCD_NPM_DIR) + "/node_modules/.bin/" + tool; }

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return connected;
}

// An account SAS for blobs (all resource types, read/write/delete/list/
// add/create, until 2030), signed with `key` as Azure's "Create an account
// SAS" describes for versions before 2020-12-06.
std::string AccountSas(const std::string& key_base64) {
  const std::string version = "2019-12-12", permissions = "rwdlac", expiry = "2030-01-01T00:00:00Z";
  std::string key;
  Base64Decode(key_base64, &key);
  const std::string to_sign = std::string(kAzuriteAccount) + "\n" + permissions + "\nb\nsco\n\n" + expiry +
                              "\n\nhttps,http\n" + version + "\n";
  return "sv=" + version + "&ss=b&srt=sco&sp=" + permissions + "&se=" + backup::UriEncode(expiry, true) +
         "&spr=https,http&sig=" + backup::UriEncode(Base64Encode(HmacSha256(key, to_sign)), true);
}

}  // namespace

Result<std::unique_ptr<ObjectStore>> ObjectStore::Start(StoreKind kind, const std::string& dir) {
  const std::string tool = kind == StoreKind::kS3 ? "s3rver" : "azurite-blob";
  if (!fs::exists(NpmBin(tool))) return NotFound(NpmBin(tool) + " is not installed (scripts/install-deps installs it)");
  std::unique_ptr<ObjectStore> store(new ObjectStore(kind, dir, FreePort()));
  fs::create_directories(dir);
  KETCD_RETURN_IF_ERROR(store->Launch());
  return store;
}

Status ObjectStore::Launch() {
  const std::string port = std::to_string(port_);
  std::vector<std::string> argv =
      kind_ == StoreKind::kS3
          ? std::vector<std::string>{NpmBin("s3rver"), "-d", dir_, "-a", "127.0.0.1", "-p", port, "--silent",
                                     "--configure-bucket", kBucket}
          : std::vector<std::string>{NpmBin("azurite-blob"), "--blobHost", "127.0.0.1", "--blobPort", port,
                                     "--location", dir_, "--silent", "--skipApiVersionCheck",
                                     "--disableProductStyleUrl", "--disableTelemetry"};
  if (!process_.Start(argv, dir_ + "/store.log")) return Internal("cannot start " + argv[0]);
  for (int i = 0; i < 300; ++i) {
    if (Accepts(port_)) return Status::Ok();
    if (!process_.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::ifstream log(dir_ + "/store.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  return Unavailable(argv[0] + " did not start listening on port " + port + ": " + text);
}

ObjectStore::~ObjectStore() { process_.Kill(); }

std::string ObjectStore::url(const std::string& prefix) const {
  return std::string(kind_ == StoreKind::kS3 ? "s3://" : "azblob://") + kBucket + "/" + prefix;
}

std::string ObjectStore::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string ObjectStore::DestinationYaml(const std::string& prefix, Credentials credentials) const {
  const bool wrong = credentials == Credentials::kWrong || credentials == Credentials::kWrongSasToken;
  // The local stores speak plain HTTP on loopback.
  std::string yaml = "  - url: " + url(prefix) + "\n    attempts: 2\n    allow_insecure_http: true\n";
  if (kind_ == StoreKind::kS3) {
    // s3rver checks the access key id (its signature check covers SigV2 only).
    yaml += "    endpoint: " + endpoint() + "\n    part_size_mib: 5\n";
    yaml += std::string("    access_key_id: ") + (wrong ? "WRONG" : "S3RVER") + "\n";
    yaml += "    secret_access_key: S3RVER\n";
    return yaml;
  }
  std::string key = kAzuriteKey;
  if (wrong) key[0] = 'A';  // signs with another key
  yaml += "    endpoint: " + endpoint() + "/" + kAzuriteAccount + "\n    block_size_mib: 1\n";
  yaml += std::string("    account: ") + kAzuriteAccount + "\n";
  if (credentials == Credentials::kSasToken || credentials == Credentials::kWrongSasToken) {
    yaml += "    sas_token: \"" + AccountSas(key) + "\"\n";
  } else {
    yaml += "    key: " + key + "\n";
  }
  return yaml;
}

void ObjectStore::Kill() {
  // Azurite keeps its metadata in memory and saves it now and then: a
  // SIGKILL would lose committed blobs, which no real store does. It dies
  // by SIGTERM, aborting the requests in flight.
  if (kind_ == StoreKind::kAzureBlob) {
    process_.Stop(std::chrono::milliseconds(5000));
  } else {
    process_.Kill();
  }
}

Status ObjectStore::Restart() {
  Kill();
  return Launch();
}

long ObjectStore::BytesRead() const {
  std::ifstream io("/proc/" + std::to_string(process_.pid()) + "/io");
  std::string name;
  long value = 0;
  while (io >> name >> value) {
    if (name == "rchar:") return value;
  }
  return 0;
}

}  // namespace ketcd::testing
