// Continuous backup on a real etcd: after a full backup, a recorder keeps
// every revision in delta segments. The oracle is etcd itself: the full
// backup's keyspace with the stored events applied up to revision R equals
// etcd's own Range at R (keys, values, create/mod revision, version,
// lease). A watch whose start etcd compacted ends the chain.
#include "backup/delta_recorder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "backup/archive_format.h"
#include "backup/backup_job.h"
#include "backup/catalog.h"
#include "backup/configmap_cluster.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

using backup::DeltaRecorder;

struct StoredKey {
  std::string value;
  int64_t create_revision = 0, mod_revision = 0, version = 0, lease = 0;
  bool operator==(const StoredKey&) const = default;
};
using Keyspace = std::map<std::string, StoredKey>;

std::ostream& operator<<(std::ostream& out, const StoredKey& k) {
  return out << "{" << k.value.size() << " bytes, create " << k.create_revision << ", mod " << k.mod_revision
             << ", version " << k.version << ", lease " << k.lease << "}";
}

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

  int64_t CurrentRevision() {
    etcd::pb::RangeRequest request;
    request.set_key("/");
    request.set_limit(1);
    auto response = client_->Range(request);
    EXPECT_TRUE(response.ok());
    return response.ok() ? response->header().revision() : 0;
  }

  Keyspace EtcdAt(int64_t revision) {
    etcd::pb::RangeRequest request;
    request.set_key(std::string(1, '\0'));
    request.set_range_end(std::string(1, '\0'));
    request.set_revision(revision);
    auto response = client_->Range(request);
    EXPECT_TRUE(response.ok()) << response.status().message();
    Keyspace keys;
    if (!response.ok()) return keys;
    for (const auto& kv : response->kvs()) {
      keys[kv.key()] = {kv.value(), kv.create_revision(), kv.mod_revision(), kv.version(), kv.lease()};
    }
    return keys;
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

  std::unique_ptr<EtcdCluster> cluster_;
  std::unique_ptr<etcd::EtcdClient> client_;
  backup::BackupConfig config_;
  std::vector<std::string> stored_in_;
  Observer observer_;
  std::string log_;
};

// Puts, deletes, multi-operation transactions and lease-attached keys
// while the recorder runs; a writer thread with its own client.
void Write(const etcd::ConnectionConfig& config, const std::atomic<bool>& stop, int64_t* lease_out) {
  auto client = etcd::EtcdClient::Create(config);
  ASSERT_TRUE(client.ok());
  auto lease = (*client)->LeaseGrant(600);
  ASSERT_TRUE(lease.ok());
  *lease_out = lease->id();
  std::mt19937 random(7);
  for (int i = 0; !stop.load(); ++i) {
    const std::string key = "/registry/pods/default/p-" + std::to_string(random() % 40);
    switch (i % 4) {
      case 0: {
        etcd::pb::PutRequest put;
        put.set_key(key);
        put.set_value("value " + std::to_string(i));
        ASSERT_TRUE((*client)->Put(put).ok());
        break;
      }
      case 1: {
        etcd::pb::DeleteRangeRequest del;
        del.set_key(key);
        ASSERT_TRUE((*client)->DeleteRange(del).ok());
        break;
      }
      case 2: {  // one revision, several events
        etcd::pb::TxnRequest txn;
        for (int op = 0; op < 3; ++op) {
          auto* put = txn.add_success()->mutable_request_put();
          put->set_key("/registry/leases/kube-system/l-" + std::to_string(op));
          put->set_value("holder " + std::to_string(i));
        }
        txn.add_success()->mutable_request_delete_range()->set_key(key);
        ASSERT_TRUE((*client)->Txn(txn).ok());
        break;
      }
      default: {
        etcd::pb::PutRequest put;
        put.set_key("/registry/events/default/e-" + std::to_string(i));
        put.set_value(std::string(200, 'e'));
        put.set_lease(*lease_out);
        ASSERT_TRUE((*client)->Put(put).ok());
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

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

TEST_F(DeltaRecorderTest, SegmentsHoldEveryRevisionEtcdMade) {
  const backup::Manifest full = FullBackup();
  ASSERT_GT(full.revision, 0);
  auto recorder = Recorder(full);
  ASSERT_NE(recorder, nullptr);
  std::atomic<bool> stop_writing{false}, stop{false};
  int64_t lease = 0;
  std::thread writer(Write, cluster_->ClientConfig(), std::cref(stop_writing), &lease);
  recorder->Record(DeltaRecorder::Clock::now() + std::chrono::milliseconds(2500), stop);
  stop_writing = true;
  writer.join();
  const int64_t last = CurrentRevision();
  // As when the next full backup is taken at `last`.
  recorder->Finish(last, std::chrono::seconds(10), stop);
  EXPECT_EQ(recorder->chain_end(), "next-chain") << log_;
  EXPECT_EQ(recorder->stored_revision(), last) << log_;

  const std::vector<backup::Chain> chains = Chains();
  ASSERT_EQ(chains.size(), 1u);
  const backup::Chain& chain = chains[0];
  EXPECT_GE(chain.segments.size(), 3u) << "300 ms segments over 2.5 s";
  EXPECT_EQ(chain.detached, 0u);
  EXPECT_EQ(chain.last_revision, last);
  EXPECT_EQ(chain.end, "next-chain");
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
  Keyspace keys = EtcdAt(full.revision);
  std::vector<int64_t> checked = {full.revision + 1, last};
  std::mt19937 random(11);
  for (int i = 0; i < 8; ++i) checked.push_back(full.revision + 1 + static_cast<int64_t>(random() % revisions.size()));
  std::sort(checked.begin(), checked.end());
  size_t applied = 0;
  bool leased = false;
  for (int64_t at : checked) {
    while (applied < revisions.size() && revisions[applied].revision <= at) Apply(keys, revisions[applied++]);
    const Keyspace expected = EtcdAt(at);
    ASSERT_EQ(keys.size(), expected.size()) << "at revision " << at;
    for (const auto& [key, value] : expected) {
      ASSERT_EQ(keys[key], value) << key << " at revision " << at;
      leased = leased || (value.lease == lease && lease != 0);
    }
  }
  EXPECT_TRUE(leased) << "lease-attached keys were recorded with their lease";
}

TEST_F(DeltaRecorderTest, AStartEtcdCompactedEndsTheChain) {
  const backup::Manifest full = FullBackup();
  auto recorder = Recorder(full);
  ASSERT_NE(recorder, nullptr);
  std::atomic<bool> stop{false};
  // Revisions the recorder has not taken yet, then compacted away.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cluster_->Put({{"/registry/pods/default/x", std::to_string(i)}}).ok());
  etcd::pb::CompactionRequest compact;
  compact.set_revision(CurrentRevision());
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
