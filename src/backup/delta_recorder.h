// Continuous backup: after a full backup, every change etcd makes is kept
// in delta segments (backup/delta_segment.h), so the cluster can be
// restored to any revision or moment between that backup and the last
// segment (issue 18).
//
// A recorder continues one chain: the full backup's revision is where its
// watch starts. A segment holds the revisions the watch delivered during
// `interval` after its first one (or until it holds `max_bytes`); it is
// then compressed, encrypted and stored with its manifest in every
// destination that holds the full backup, and the next segment names it as
// `previous`. A watch that breaks (etcd restarting, a network error) is
// started again from the revision after the last one taken: etcd still has
// those revisions unless it compacted them, which ends the chain.
//
// The chain ends, with the word in its last manifest's chainEnd, when
// events could be lost (compacted, cancelled, cluster-changed,
// revision-gap: backup/watch_revisions.h) or segments a store could not
// take outgrow the spool (upload-failed); the daemon then takes a full
// backup at once. A segment is sent once to each destination; one that
// fails keeps it in the spool (a private directory under work_dir, up to
// delta_spool_mib), sent again, oldest first, whenever a segment closes.
// A new full backup ends it too (next-chain): the last segment reaches the
// new backup's revision, so one chain's window ends where the next begins.
// A segment with no revision is never stored: a chain's window ends at its
// last revision (a Kubernetes cluster writes leases every few seconds).
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backup/backup_config.h"
#include "backup/delta_segment.h"
#include "backup/destination.h"
#include "backup/manifest.h"
#include "backup/watch_revisions.h"
#include "etcd/client.h"
#include "util/private_dir.h"

namespace ketcd::backup {

// What the daemon's metrics show of a chain.
class DeltaObserver {
 public:
  virtual ~DeltaObserver() = default;
  virtual void SegmentStored(const Manifest& segment) = 0;
  // The newest revision etcd reported (a watch response's header).
  virtual void EtcdRevision(int64_t revision) = 0;
  virtual void WatchRestarted() = 0;
};

class DeltaRecorder {
 public:
  using Clock = std::chrono::steady_clock;

  // Continues the chain of the full backup `full`, stored in the
  // destinations of `config` whose URLs are in `stored_in`.
  static Result<std::unique_ptr<DeltaRecorder>> Start(etcd::EtcdClient& client, const BackupConfig& config,
                                                      const Manifest& full, const std::vector<std::string>& stored_in,
                                                      std::function<void(const std::string&)> say,
                                                      DeltaObserver* observer);
  ~DeltaRecorder();

  // Continues after the chain's stored segment `previous`, whose last
  // revision is `revision` (a daemon restarted: backup/catalog.h's Chain).
  void Resume(const std::string& previous, int64_t revision);

  // Records until `until`, `stop`, or the chain ends. The segment open at
  // `until` stays open (Finish continues it); on `stop` it is stored.
  void Record(Clock::time_point until, const std::atomic<bool>& stop);

  // Records up to `revision` (a new full backup's), stores the last
  // segment and ends the chain as next-chain. Gives up after `patience`
  // without reaching it (the segment so far is stored).
  void Finish(int64_t revision, std::chrono::milliseconds patience, const std::atomic<bool>& stop);

  bool ended() const { return !chain_end_.empty(); }
  const std::string& chain_end() const { return chain_end_; }
  // The newest revision in a stored segment (the full backup's: none yet).
  int64_t stored_revision() const { return stored_revision_; }

 private:
  DeltaRecorder(etcd::EtcdClient& client, const BackupConfig& config, const Manifest& full,
                std::function<void(const std::string&)> say, DeltaObserver* observer);

  // One watch from the revision after the last taken, until `deadline`, the
  // segment is due, or revision `last` (0: none) is taken.
  void WatchOnce(Clock::time_point deadline, int64_t last, const std::atomic<bool>& stop);
  void Add(DeltaRevision&& revision);
  bool SegmentDue() const;
  // Stores the open segment (if any), after the spooled ones.
  void Store();
  // Stores `plain` as segment `m` in `destinations`, once each; returns
  // those that failed.
  std::vector<size_t> Upload(const Manifest& m, std::string_view plain, const std::vector<size_t>& destinations);
  // Keeps a segment some destinations lack; ends the chain when the spool is full.
  void Spool(const Manifest& m, std::string_view plain, std::vector<size_t> missing);
  // Sends spooled segments, oldest first, until one still fails.
  void Flush();
  void DropSpool();
  void End(const std::string& why);

  etcd::EtcdClient& client_;
  const BackupConfig& config_;
  const Manifest full_;
  std::function<void(const std::string&)> say_;
  DeltaObserver* observer_;
  std::vector<std::unique_ptr<Destination>> destinations_;
  WatchRevisions revisions_;
  std::string previous_;
  int64_t stored_revision_;
  std::string chain_end_;

  // The open segment: its plain bytes, written as revisions arrive.
  struct Segment;
  std::unique_ptr<Segment> segment_;

  // Segments some destination does not hold yet: their plain bytes wait in
  // a private directory under work_dir (mode 0700: they hold Secrets), in
  // order, up to delta_spool_mib.
  struct Spooled {
    Manifest manifest;  // sha256 and size are each destination's own
    std::string path;
    int64_t bytes = 0;
    std::vector<size_t> destinations;  // still missing it
  };
  std::unique_ptr<PrivateDir> spool_dir_;
  std::deque<Spooled> spool_;
  int64_t spool_bytes_ = 0;
};

}  // namespace ketcd::backup
