// A chain's snapshot at one of its revisions, built (backup/point_in_time.h)
// and then checked against what the chain itself records, for `backup
// verify` and `backup compact`: every key the chain's events touched holds,
// at that revision, exactly the KeyValue of its last event (or is gone
// after a deletion), and every other key is as the full backup had it. The
// check reads the built file offline (snapshot/offline_keyspace.h), the
// same reader `get --snapshot` uses, so a revision written under the wrong
// key, a lost tombstone or a damaged copy of the full backup shows here.
// Memory: the touched keys with a digest each, plus the offline index.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "backup/point_in_time.h"

namespace ketcd::backup {

// What a chain's events left behind: each key they touched with a digest
// of its last KeyValue, or none when its last event deleted it.
class ChainEffects {
 public:
  void Record(const DeltaRevision& revision);
  size_t keys() const { return last_.size(); }
  // kDataLoss naming the key unless snapshot file `path` shows, at
  // `revision`, exactly these effects on its own keyspace at `base_revision`.
  Status CheckSnapshot(const std::string& path, int64_t base_revision, int64_t revision) const;

 private:
  std::map<std::string, std::optional<std::string>> last_;
};

struct CheckedSnapshot {
  PointInTime point;
  size_t keys_touched = 0;  // distinct keys the applied events changed
};

// Writes the snapshot file `path` (as WriteChainSnapshot does) for
// `revision` of `chain`, then checks it; kDataLoss naming the key when the
// built keyspace and the chain's events disagree.
Result<CheckedSnapshot> WriteCheckedSnapshot(const BackupConfig& config, const Chain& chain, int64_t revision,
                                             const std::string& path,
                                             const std::function<void(const std::string&)>& say);

// backup verify for a chain: no segment cut off by a gap, every segment
// whole and as its manifest says, the keyspace at the chain's last revision
// checked as above and restored into a throwaway data dir.
Result<CheckedSnapshot> VerifyChain(const BackupConfig& config, const Chain& chain,
                                    const std::function<void(const std::string&)>& say);

}  // namespace ketcd::backup
