// Continuous backup on a real etcd: after a full backup, a recorder keeps
// every revision in delta segments, and a point in time is restored from
// them. The oracle is etcd itself: the full backup's keyspace with the
// stored events applied up to revision R, and the snapshot written for R,
// equal etcd's own Range at R (keys, values, create/mod revision, version,
// lease); an etcd started from the data dir restored at R serves it. A watch
// whose start etcd compacted ends the chain.
#include "backup/chain_check.h"
#include "backup/compact_chain.h"
#include "backup/delta_recorder.h"
#include "backup/point_in_time.h"
#include "backup/restore_backup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "backup/archive_format.h"
#include "backup/backup_job.h"
#include "backup/catalog.h"
#include "backup/configmap_cluster.h"
#include "backup/keyspace_oracle.h"
#include "support/etcd_cluster.h"
#include "support/process.h"

namespace ketcd::testing {
namespace {

using backup::DeltaRecorder;

class Observer : public backup::DeltaObserver {
 public:
  void SegmentStored(const backup::Manifest&) override { ++segments; }
  void EtcdRevision(int64_t revision) override { etcd_revision = std::max(etcd_revision, revision); }
  void WatchRestarted() override { ++restarts; }
  int segments = 0, restarts = 0;
  int64_t etcd_revision = 0;
};

class DeltaRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = StartClusterWithConfigMaps(20);
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
    auto client = etcd::EtcdClient::Create(cluster_->ClientConfig());
    ASSERT_TRUE(client.ok()) << client.status().message();
    client_ = std::move(*client);
    config_.name = "prod";
    config_.key = std::string(32, 'k');
    config_.work_dir = cluster_->dir();
    config_.destinations = {{cluster_->dir() + "/store", {}}};
    config_.delta_interval = std::chrono::milliseconds(300);
    config_.upload_attempts = 1;
  }

  backup::Manifest FullBackup() {
    auto outcome = backup::RunBackup(*client_, config_, std::time(nullptr), [](const std::string&) {});
    EXPECT_TRUE(outcome.ok() && outcome->complete()) << (outcome.ok() ? outcome->FailureSummary() : outcome.status().message());
    stored_in_ = outcome.ok() ? outcome->stored : std::vector<std::string>{};
    return outcome.ok() ? outcome->manifest : backup::Manifest{};
  }

  std::unique_ptr<DeltaRecorder> Recorder(const backup::Manifest& full) {
    auto recorder = DeltaRecorder::Start(*client_, config_, full, stored_in_,
                                         [this](const std::string& line) { log_ += line + "\n"; }, &observer_);
    EXPECT_TRUE(recorder.ok()) << recorder.status().message();
    return recorder.ok() ? std::move(*recorder) : nullptr;
  }

  // Every revision the chain's segments hold, read back through the
  // archive layers from the store.
  std::vector<backup::DeltaRevision> StoredRevisions(const backup::Chain& chain) {
    auto destination = backup::OpenDestination(config_.destinations[0]);
    EXPECT_TRUE(destination.ok());
    std::vector<backup::DeltaRevision> revisions;
    for (const backup::Manifest& segment : chain.segments) {
      backup::DeltaSegmentReader reader([&](backup::DeltaRevision&& revision) {
        revisions.push_back(std::move(revision));
        return Status::Ok();
      });
      auto archive = backup::ArchiveReader(reader, config_.key);
      EXPECT_TRUE(archive.ok());
      backup::HashingSink hashing(archive->get());
      Status read = (*destination)->Read(segment.object, hashing);
      EXPECT_TRUE(read.ok()) << segment.name << ": " << read.message();
      EXPECT_EQ(hashing.hex(), segment.sha256) << segment.name;
    }
    return revisions;
  }

  std::vector<backup::Chain> Chains() {
    auto listed = backup::ListBackups(config_);
    EXPECT_TRUE(listed.ok()) << listed.status().message();
    return listed.ok() ? backup::GroupChains(*listed) : std::vector<backup::Chain>{};
  }

  // A full backup, then 2.5 s of writes recorded in 300 ms segments, the
  // chain closed at the revision etcd had reached.
  void RecordChain();

  std::unique_ptr<EtcdCluster> cluster_;
  std::unique_ptr<etcd::EtcdClient> client_;
  backup::BackupConfig config_;
  backup::Manifest full_;
  int64_t last_ = 0, lease_ = 0;
  std::vector<std::string> stored_in_;
  Observer observer_;
  std::string log_;
};

void Apply(Keyspace& keys, const backup::DeltaRevision& revision) {
  for (const mvccpb::Event& event : revision.events) {
    const mvccpb::KeyValue& kv = event.kv();
    if (event.type() == mvccpb::Event::DELETE) {
      keys.erase(kv.key());
    } else {
      keys[kv.key()] = {kv.value(), kv.create_revision(), kv.mod_revision(), kv.version(), kv.lease()};
    }
  }
}

void DeltaRecorderTest::RecordChain() {
  full_ = FullBackup();
  ASSERT_GT(full_.revision, 0);
  auto recorder = Recorder(full_);
  ASSERT_NE(recorder, nullptr);
  std::atomic<bool> stop_writing{false}, stop{false};
  std::thread writer(WriteMixed, cluster_->ClientConfig(), std::cref(stop_writing), &lease_);
  recorder->Record(DeltaRecorder::Clock::now() + std::chrono::milliseconds(2500), stop);
  stop_writing = true;
  writer.join();
  last_ = CurrentRevision(*client_);
  // As when the next full backup is taken at `last_`.
  recorder->Finish(last_, std::chrono::seconds(10), stop);
  EXPECT_EQ(recorder->chain_end(), "next-chain") << log_;
  EXPECT_EQ(recorder->stored_revision(), last_) << log_;
}

TEST_F(DeltaRecorderTest, SegmentsHoldEveryRevisionEtcdMade) {
  ASSERT_NO_FATAL_FAILURE(RecordChain());
  const backup::Manifest& full = full_;
  const int64_t last = last_;
  const int64_t lease = lease_;
  const std::vector<backup::Chain> chains = Chains();
  ASSERT_EQ(chains.size(), 1u);
  const backup::Chain& chain = chains[0];
  EXPECT_GE(chain.segments.size(), 3u) << "300 ms segments over 2.5 s";
  EXPECT_EQ(chain.detached, 0u);
  EXPECT_EQ(chain.last_revision, last);
  // The word rides on a segment still open when the chain ends (none may be).
  EXPECT_TRUE(chain.end.empty() || chain.end == "next-chain") << chain.end;
  EXPECT_EQ(observer_.segments, static_cast<int>(chain.segments.size()));
  EXPECT_GE(observer_.etcd_revision, last);

  // Every revision from the full backup's to the last, once, in order.
  const std::vector<backup::DeltaRevision> revisions = StoredRevisions(chain);
  ASSERT_EQ(static_cast<int64_t>(revisions.size()), last - full.revision);
  for (size_t i = 0; i < revisions.size(); ++i) {
    ASSERT_EQ(revisions[i].revision, full.revision + 1 + static_cast<int64_t>(i));
  }
  EXPECT_TRUE(std::any_of(revisions.begin(), revisions.end(),
                          [](const backup::DeltaRevision& r) { return r.events.size() == 4; }))
      << "a transaction's events share one revision";

  // The oracle: the full backup's keyspace plus the events up to R is etcd's keyspace at R.
  Keyspace keys = EtcdAt(*client_, full.revision);
  std::vector<int64_t> checked = {full.revision + 1, last};
  std::mt19937 random(11);
  for (int i = 0; i < 8; ++i) checked.push_back(full.revision + 1 + static_cast<int64_t>(random() % revisions.size()));
  std::sort(checked.begin(), checked.end());
  size_t applied = 0;
  bool leased = false;
  for (int64_t at : checked) {
    while (applied < revisions.size() && revisions[applied].revision <= at) Apply(keys, revisions[applied++]);
    const Keyspace expected = EtcdAt(*client_, at);
    ASSERT_EQ(keys.size(), expected.size()) << "at revision " << at;
    for (const auto& [key, value] : expected) {
      ASSERT_EQ(keys[key], value) << key << " at revision " << at;
      leased = leased || (value.lease == lease && lease != 0);
    }
  }
  EXPECT_TRUE(leased) << "lease-attached keys were recorded with their lease";
}

TEST_F(DeltaRecorderTest, PointInTimeSnapshotsEqualEtcdsPast) {
  ASSERT_NO_FATAL_FAILURE(RecordChain());
  const std::vector<backup::Chain> chains = Chains();
  ASSERT_EQ(chains.size(), 1u);
  const std::vector<backup::DeltaRevision> revisions = StoredRevisions(chains[0]);
  ASSERT_FALSE(revisions.empty());
  auto quiet = [](const std::string&) {};

  // Revisions: the full backup's, the last, and random ones between.
  std::vector<int64_t> points = {full_.revision, last_};
  std::mt19937 random(23);
  for (int i = 0; i < 6; ++i) points.push_back(full_.revision + 1 + static_cast<int64_t>(random() % revisions.size()));
  int n = 0;
  for (int64_t at : points) {
    const std::string path = cluster_->dir() + "/at-" + std::to_string(n++) + ".db";
    auto built = backup::WriteSnapshotAt(config_, {backup::RestorePoint::Kind::kRevision, at, 0}, path, quiet);
    ASSERT_TRUE(built.ok()) << at << ": " << built.status().message();
    EXPECT_EQ(built->revision, at);
    EXPECT_EQ(built->full.name, full_.name);
    const Keyspace expected = EtcdAt(*client_, at);
    const Keyspace restored = SnapshotKeyspace(path);
    ASSERT_EQ(restored.size(), expected.size()) << "at revision " << at;
    for (const auto& [key, value] : expected) ASSERT_EQ(restored.at(key), value) << key << " at revision " << at;
  }

  // A moment: the newest revision seen at or before it.
  const backup::DeltaRevision& middle = revisions[revisions.size() / 2];
  int64_t expected_at = middle.revision;
  for (const auto& r : revisions) {
    if (r.unix_millis <= middle.unix_millis) expected_at = std::max(expected_at, r.revision);
  }
  auto timed = backup::WriteSnapshotAt(config_, {backup::RestorePoint::Kind::kTime, 0, middle.unix_millis},
                                       cluster_->dir() + "/timed.db", quiet);
  ASSERT_TRUE(timed.ok()) << timed.status().message();
  EXPECT_EQ(timed->revision, expected_at);
  EXPECT_EQ(timed->seen_millis, middle.unix_millis);
  // Before the full backup, and past the chain: refused, naming the window.
  auto early = backup::WriteSnapshotAt(config_, {backup::RestorePoint::Kind::kRevision, full_.revision - 1, 0},
                                       cluster_->dir() + "/early.db", quiet);
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.status().message().find(full_.name + ": revisions " + std::to_string(full_.revision) + ".." +
                                          std::to_string(last_)),
            std::string::npos)
      << early.status().message();
  EXPECT_FALSE(std::filesystem::exists(cluster_->dir() + "/early.db"));

  // Restored into a data dir at a revision in the middle, etcd serves that
  // revision's keys; the lease granted after the full backup exists, its keys attached.
  const int64_t at = revisions[revisions.size() / 2].revision;
  restore::RestoreOptions options;
  const std::string peer = "http://127.0.0.1:" + std::to_string(FreePort());
  const std::string client = "http://127.0.0.1:" + std::to_string(FreePort());
  options.name = "back";
  options.initial_cluster = "back=" + peer;
  options.initial_advertise_peer_urls = {peer};
  options.data_dir = cluster_->dir() + "/back.etcd";
  auto restored = backup::RestoreBackupAt(config_, {backup::RestorePoint::Kind::kRevision, at, 0}, options, "", quiet);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  const Keyspace expected = EtcdAt(*client_, at);
  BackgroundProcess server;
  ASSERT_TRUE(server.Start({cluster_->MemberBinary(0), "--name", "back", "--data-dir", options.data_dir,
                            "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls",
                            peer, "--initial-advertise-peer-urls", peer},
                           options.data_dir + ".log"));
  etcd::ConnectionConfig back_config;
  back_config.endpoints = {client};
  auto back = etcd::EtcdClient::Create(back_config);
  ASSERT_TRUE(back.ok());
  Result<etcd::pb::RangeResponse> served = Internal("not asked");
  for (int attempt = 0; attempt < 100 && !served.ok(); ++attempt) {
    etcd::pb::RangeRequest request;
    request.set_key(std::string(1, '\0'));
    request.set_range_end(std::string(1, '\0'));
    served = (*back)->Range(request);
    if (!served.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(served.ok()) << served.status().message();
  EXPECT_EQ(served->header().revision(), at + backup::kPointInTimeBump);
  ASSERT_EQ(served->kvs_size(), static_cast<int>(expected.size()));
  bool leased = false;
  for (const auto& kv : served->kvs()) {
    ASSERT_EQ((StoredKey{kv.value(), kv.create_revision(), kv.mod_revision(), kv.version(), kv.lease()}),
              expected.at(kv.key()))
        << kv.key();
    leased = leased || kv.lease() == lease_;
  }
  ASSERT_TRUE(leased) << "keys attached to the lease granted after the full backup";
  EXPECT_EQ(restored->point.added_leases, std::vector<int64_t>{lease_});
  auto ttl = (*back)->LeaseTimeToLive(lease_, true);
  ASSERT_TRUE(ttl.ok()) << ttl.status().message();
  EXPECT_GT(ttl->ttl(), 0) << "the lease exists in the restored cluster";
  EXPECT_EQ(ttl->grantedttl(), backup::kAddedLeaseTtlSeconds);
  EXPECT_GT(ttl->keys_size(), 0);
  server.Stop();
}

// A damaged segment refuses every point past its start, naming it; a
// missing one ends the window before it. Points before either still restore.
TEST_F(DeltaRecorderTest, ADamagedOrMissingSegmentStopsTheWindowThere) {
  ASSERT_NO_FATAL_FAILURE(RecordChain());
  std::vector<backup::Chain> chains = Chains();
  ASSERT_EQ(chains.size(), 1u);
  ASSERT_GE(chains[0].segments.size(), 3u);
  const backup::Manifest damaged = chains[0].segments[1];
  const std::string store = cluster_->dir() + "/store/";
  auto quiet = [](const std::string&) {};
  auto at = [&](int64_t revision, const std::string& name) {
    return backup::WriteSnapshotAt(config_, {backup::RestorePoint::Kind::kRevision, revision, 0},
                                   cluster_->dir() + "/" + name + ".db", quiet);
  };
  {
    std::fstream object(store + damaged.object, std::ios::in | std::ios::out | std::ios::binary);
    object.seekg(static_cast<std::streamoff>(damaged.object_bytes / 2));
    const char byte = static_cast<char>(object.get());
    object.seekp(static_cast<std::streamoff>(damaged.object_bytes / 2));
    object.put(static_cast<char>(byte ^ 0x01));
  }
  auto past = at(damaged.revision, "past");
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.status().message().find(damaged.name), std::string::npos) << past.status().message();
  EXPECT_FALSE(std::filesystem::exists(cluster_->dir() + "/past.db"));
  auto before = at(damaged.first_revision - 1, "before");
  ASSERT_TRUE(before.ok()) << before.status().message();
  EXPECT_TRUE(SnapshotKeyspace(cluster_->dir() + "/before.db") == EtcdAt(*client_, damaged.first_revision - 1));

  // Gone (object and manifest): the window ends before it.
  std::filesystem::remove(store + damaged.object);
  std::filesystem::remove(store + damaged.name + backup::kManifestSuffix);
  chains = Chains();
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0].last_revision, damaged.first_revision - 1);
  EXPECT_GT(chains[0].detached, 0u) << "the segments after the gap are counted apart";
  auto missing = at(damaged.revision, "missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find(".." + std::to_string(damaged.first_revision - 1) + ","),
            std::string::npos)
      << missing.status().message();
  EXPECT_TRUE(at(damaged.first_revision - 1, "still").ok());
}

// backup verify on a chain: whole and as etcd made it, it passes; a segment
// whose manifest misstates what it holds, or a segment gone, fails naming
// the piece, and a point before that piece still restores.
TEST_F(DeltaRecorderTest, VerifyChecksAChainEndToEnd) {
  ASSERT_NO_FATAL_FAILURE(RecordChain());
  std::vector<backup::Chain> chains = Chains();
  ASSERT_EQ(chains.size(), 1u);
  ASSERT_GE(chains[0].segments.size(), 3u);
  auto quiet = [](const std::string&) {};
  auto verified = backup::VerifyChain(config_, chains[0], quiet);
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->point.revision, last_);
  EXPECT_GT(verified->keys_touched, 0u);

  // A manifest claiming one event more than its segment holds.
  const std::string store = cluster_->dir() + "/store/";
  backup::Manifest misstated = chains[0].segments[1];
  ++misstated.total_keys;
  std::ofstream(store + misstated.name + backup::kManifestSuffix, std::ios::trunc) << backup::ManifestText(misstated);
  auto refused = backup::VerifyChain(config_, Chains()[0], quiet);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kDataLoss);
  EXPECT_NE(refused.status().message().find(misstated.name + ": holds revisions"), std::string::npos)
      << refused.status().message();
  EXPECT_TRUE(backup::WriteSnapshotAt(config_, {backup::RestorePoint::Kind::kRevision, misstated.first_revision - 1, 0},
                                      cluster_->dir() + "/before.db", quiet)
                  .ok());

  // A segment gone: the ones after it cannot be reached.
  const backup::Manifest gone = chains[0].segments[2];
  std::filesystem::remove(store + gone.object);
  std::filesystem::remove(store + gone.name + backup::kManifestSuffix);
  auto cut = backup::VerifyChain(config_, Chains()[0], quiet);
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("none starts at revision " + std::to_string(gone.first_revision)),
            std::string::npos)
      << cut.status().message();
}

// The check behind verify and compact can fail: effects the snapshot does
// not show (a put it lacks), or a change in the snapshot the recorded
// events do not account for, are each refused naming the key.
TEST_F(DeltaRecorderTest, TheChainCheckRefusesASnapshotThatDisagreesWithTheEvents) {
  ASSERT_NO_FATAL_FAILURE(RecordChain());
  const backup::Chain chain = Chains().at(0);
  std::vector<backup::DeltaRevision> revisions = StoredRevisions(chain);
  ASSERT_GE(revisions.size(), 2u);
  const std::string path = cluster_->dir() + "/at-last.db";
  auto quiet = [](const std::string&) {};
  ASSERT_TRUE(backup::WriteChainSnapshot(config_, chain, {backup::RestorePoint::Kind::kRevision, last_, 0}, path, quiet)
                  .ok());
  backup::ChainEffects all;
  for (const auto& revision : revisions) all.Record(revision);
  EXPECT_TRUE(all.CheckSnapshot(path, full_.revision, last_).ok());

  backup::ChainEffects invented = all;
  backup::DeltaRevision extra;
  extra.revision = last_ + 1;
  mvccpb::Event& put = extra.events.emplace_back();
  put.mutable_kv()->set_key("/registry/pods/default/never-written");
  put.mutable_kv()->set_value("x");
  invented.Record(extra);
  Status lacking = invented.CheckSnapshot(path, full_.revision, last_);
  ASSERT_FALSE(lacking.ok());
  EXPECT_NE(lacking.message().find("never-written at revision " + std::to_string(last_) + " is missing"),
            std::string::npos)
      << lacking.message();

  backup::ChainEffects partial;
  for (size_t i = 0; i + 1 < revisions.size(); ++i) partial.Record(revisions[i]);
  // The last revision's change is in the snapshot but not among the effects
  // (its key changed without an event, or not as its last event left it).
  Status unexplained = partial.CheckSnapshot(path, full_.revision, last_);
  ASSERT_FALSE(unexplained.ok());
  EXPECT_EQ(unexplained.code(), ErrorCode::kDataLoss);
  bool names_a_key = false;
  for (const mvccpb::Event& event : revisions.back().events) {
    names_a_key |= unexplained.message().find("key " + event.kv().key() + " ") != std::string::npos;
  }
  EXPECT_TRUE(names_a_key) << unexplained.message();
}

// backup compact: a chain merged at a revision into a new full backup that
// holds etcd's keyspace at that revision; restores pick it for that point
// and the older chain for the revisions after it; merging twice is refused.
TEST_F(DeltaRecorderTest, CompactMergesAChainIntoAFullBackupAtARevision) {
  ASSERT_NO_FATAL_FAILURE(RecordChain());
  auto quiet = [](const std::string&) {};
  auto chain = backup::ChainToCompact(config_, "");
  ASSERT_TRUE(chain.ok()) << chain.status().message();
  ASSERT_GE(chain->segments.size(), 3u);
  const int64_t middle = chain->segments[1].revision;
  EXPECT_FALSE(backup::CompactChain(config_, *chain, full_.revision, quiet).ok()) << "nothing to merge";
  EXPECT_FALSE(backup::CompactChain(config_, *chain, last_ + 1, quiet).ok()) << "past the chain";

  auto merged = backup::CompactChain(config_, *chain, middle, quiet);
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  ASSERT_TRUE(merged->complete()) << merged->FailureSummary();
  EXPECT_EQ(merged->manifest.revision, middle);
  EXPECT_EQ(merged->manifest.cluster_id, full_.cluster_id);
  const std::string fetched = cluster_->dir() + "/merged.db";
  ASSERT_TRUE(backup::FetchBackup(config_, merged->manifest.name, fetched).ok());
  EXPECT_TRUE(SnapshotKeyspace(fetched) == EtcdAt(*client_, middle));
  auto again = backup::CompactChain(config_, *chain, middle, quiet);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find(merged->manifest.name), std::string::npos) << again.status().message();

  auto at = [&](const backup::RestorePoint& point, const std::string& name) {
    return backup::WriteSnapshotAt(config_, point, cluster_->dir() + "/" + name + ".db", quiet);
  };
  auto at_middle = at({backup::RestorePoint::Kind::kRevision, middle, 0}, "at-middle");
  ASSERT_TRUE(at_middle.ok()) << at_middle.status().message();
  EXPECT_EQ(at_middle->full.name, merged->manifest.name);
  EXPECT_EQ(at_middle->segments, 0u);
  auto after = at({backup::RestorePoint::Kind::kRevision, middle + 1, 0}, "after");
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(after->full.name, full_.name);
  EXPECT_TRUE(SnapshotKeyspace(cluster_->dir() + "/after.db") == EtcdAt(*client_, middle + 1));
  auto latest = at({backup::RestorePoint::Kind::kLatest, 0, 0}, "latest");
  ASSERT_TRUE(latest.ok()) << latest.status().message();
  EXPECT_EQ(latest->revision, last_);
  // A time after the merged revision was seen: the chain that goes on wins.
  auto later = at({backup::RestorePoint::Kind::kTime, 0, chain->last_seen_millis}, "later");
  ASSERT_TRUE(later.ok()) << later.status().message();
  EXPECT_EQ(later->revision, last_);
  EXPECT_EQ(later->full.name, full_.name);
}

TEST_F(DeltaRecorderTest, AStartEtcdCompactedEndsTheChain) {
  const backup::Manifest full = FullBackup();
  auto recorder = Recorder(full);
  ASSERT_NE(recorder, nullptr);
  std::atomic<bool> stop{false};
  // Revisions the recorder has not taken yet, then compacted away.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cluster_->Put({{"/registry/pods/default/x", std::to_string(i)}}).ok());
  etcd::pb::CompactionRequest compact;
  compact.set_revision(CurrentRevision(*client_));
  compact.set_physical(true);
  ASSERT_TRUE(client_->Compact(compact).ok());
  recorder->Record(DeltaRecorder::Clock::now() + std::chrono::seconds(5), stop);
  EXPECT_TRUE(recorder->ended());
  EXPECT_EQ(recorder->chain_end(), "compacted") << log_;
  EXPECT_EQ(recorder->stored_revision(), full.revision);
  EXPECT_EQ(observer_.segments, 0);
  EXPECT_NE(log_.find("compacted"), std::string::npos) << log_;
}

}  // namespace
}  // namespace ketcd::testing
