// A backup's manifest, NAME.manifest.json, written after its object: what
// the object holds (snapshot revision, keys, etcd version, cluster) and how
// to check it (sha256 and size as stored). Listing reads manifests only.
#pragma once

#include <cstdint>
#include <string>

#include "util/status.h"

namespace ketcd::backup {

inline constexpr char kManifestSuffix[] = ".manifest.json";

struct Manifest {
  std::string name, object;
  std::string sha256;  // of the object as stored
  int64_t object_bytes = 0, snapshot_bytes = 0;
  int64_t revision = 0, total_keys = 0;
  std::string etcd_version, cluster_id;
  int64_t created = 0;  // Unix seconds
  bool encrypted = false;
};

std::string ManifestText(const Manifest& manifest);
Result<Manifest> ParseManifest(const std::string& text);

}  // namespace ketcd::backup
