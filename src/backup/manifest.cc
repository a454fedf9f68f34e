#include "backup/manifest.h"

#include <nlohmann/json.hpp>

#include "util/utc_time.h"

namespace ketcd::backup {

using Json = nlohmann::json;

std::string ManifestText(const Manifest& m) {
  const Json j = {{"name", m.name}, {"object", m.object}, {"sha256", m.sha256}, {"objectBytes", m.object_bytes},
          {"snapshotBytes", m.snapshot_bytes}, {"revision", m.revision}, {"totalKeys", m.total_keys},
          {"etcdVersion", m.etcd_version}, {"clusterID", m.cluster_id}, {"created", Rfc3339Utc(m.created)},
          {"createdUnix", m.created}, {"compression", "zstd"},
          {"encryption", m.encrypted ? "aes-256-gcm" : "none"}};
  return j.dump(2) + "\n";
}

Result<Manifest> ParseManifest(const std::string& text) {
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("object") || !j.contains("sha256")) {
    return DataLoss("not a backup manifest");
  }
  Manifest m;
  m.name = j.value("name", "");
  m.object = j.value("object", "");
  m.sha256 = j.value("sha256", "");
  m.object_bytes = j.value("objectBytes", int64_t{0});
  m.snapshot_bytes = j.value("snapshotBytes", int64_t{0});
  m.revision = j.value("revision", int64_t{0});
  m.total_keys = j.value("totalKeys", int64_t{0});
  m.etcd_version = j.value("etcdVersion", "");
  m.cluster_id = j.value("clusterID", "");
  m.created = j.value("createdUnix", int64_t{0});
  m.encrypted = j.value("encryption", "none") != "none";
  return m;
}

}  // namespace ketcd::backup
