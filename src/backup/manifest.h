// A backup's manifest, NAME.manifest.json, written after its object: what
// the object holds (snapshot revision, keys, etcd version, cluster) and how
// to check it (sha256 and size as stored). Listing reads manifests only.
//
// A manifest comes from a store that others may write to: ParseManifest
// accepts only what ketcd writes. The name is a backup name (see
// IsBackupName), the object is that name with the suffix its encryption
// field implies, every field has its JSON type, and the sha256 is 64 hex
// digits; anything else is kDataLoss, never an exception.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace ketcd::backup {

inline constexpr char kManifestSuffix[] = ".manifest.json";
inline constexpr char kPlainObjectSuffix[] = ".db.zst";
inline constexpr char kEncryptedObjectSuffix[] = ".db.zst.enc";
inline constexpr char kPlainDeltaSuffix[] = ".delta.zst";
inline constexpr char kEncryptedDeltaSuffix[] = ".delta.zst.enc";

// A full snapshot, or a delta segment (backup/delta_segment.h) of a chain
// that starts at one.
enum class BackupKind { kSnapshot, kDelta };

struct Manifest {
  BackupKind kind = BackupKind::kSnapshot;
  std::string name, object;
  std::string sha256;  // of the object as stored
  int64_t object_bytes = 0, snapshot_bytes = 0;  // a delta: its segment's plain bytes
  int64_t revision = 0, total_keys = 0;          // a delta: its last revision, its events
  std::string etcd_version, cluster_id;
  int64_t created = 0;  // Unix seconds
  bool encrypted = false;

  // A delta only: the revisions first_revision..revision after the full
  // backup `chain`, continuing `previous` (the segment before it, or the
  // full backup itself), seen from first_seen_millis to last_seen_millis
  // (Unix ms). `chain_end`: why the chain ends with this segment (a word:
  // "compacted", "cancelled", ...), empty while it goes on.
  std::string chain, previous;
  int64_t first_revision = 0;
  int64_t first_seen_millis = 0, last_seen_millis = 0;
  std::string chain_end;
};

// Whether `name` can name a backup: 1 to 200 letters, digits, '-', '_' and
// '.', starting with a letter or digit. Such a name is one path component
// (no '/', never "." or ".."), so it can be joined to a destination safely.
bool IsBackupName(std::string_view name);

// The object name a backup `name` stores its snapshot (or delta segment) under.
std::string ObjectName(const std::string& name, bool encrypted, BackupKind kind = BackupKind::kSnapshot);

std::string ManifestText(const Manifest& manifest);
Result<Manifest> ParseManifest(const std::string& text);

}  // namespace ketcd::backup
