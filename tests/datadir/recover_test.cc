// cluster recover on real etcd (each supported version):
//   - a member whose db lags its WAL (the backend commits only every 10
//     minutes here, so every write is committed in the WAL and none is in
//     the db), paused and copied: the recovered cluster serves exactly what
//     the member served (keys, values, create/mod revisions, versions,
//     leases), through puts, overwrites, txns (both branches, nested),
//     range deletes, leases granted and revoked, and requests etcd refused;
//   - a 3-member cluster losing two members under writes: recovered from
//     the survivor (chosen among copies taken earlier), grown back to three
//     with the printed steps, it holds every write the survivor acknowledged.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Stored {
  std::string value;
  int64_t create = 0, mod = 0, version = 0, lease = 0;
  bool operator==(const Stored&) const = default;
};
using Keyspace = std::map<std::string, Stored>;

Result<Keyspace> ReadAll(etcd::EtcdClient& client, int64_t* revision = nullptr) {
  etcd::pb::RangeRequest request;
  request.set_key(std::string(1, '\0'));
  request.set_range_end(std::string(1, '\0'));
  auto response = client.Range(request);
  if (!response.ok()) return response.status();
  if (revision != nullptr) *revision = response->header().revision();
  Keyspace keyspace;
  for (const auto& kv : response->kvs()) {
    keyspace[kv.key()] = {kv.value(), kv.create_revision(), kv.mod_revision(), kv.version(), kv.lease()};
  }
  return keyspace;
}

std::string CopyPaused(EtcdCluster& cluster, int member, const std::string& to) {
  EXPECT_TRUE(cluster.CopyDataDirPaused(member, to).ok());
  return to;
}

// etcd on a recovered data dir, and a client once it serves.
struct Served {
  BackgroundProcess server;
  std::string peer, client_url;
  std::unique_ptr<etcd::EtcdClient> client;
};

// A joining member starts as a learner, which serves no linearizable read:
// `joining` does not wait for one.
void Serve(const std::string& binary, const std::string& name, const std::string& data_dir, const std::string& peer,
           Served& served, const std::vector<std::string>& extra = {}, bool joining = false) {
  served.peer = peer;
  served.client_url = "http://127.0.0.1:" + std::to_string(FreePort());
  std::vector<std::string> argv = {binary, "--name", name, "--data-dir", data_dir, "--listen-client-urls",
                                   served.client_url, "--advertise-client-urls", served.client_url,
                                   "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ASSERT_TRUE(served.server.Start(argv, data_dir + ".log"));
  etcd::ConnectionConfig config;
  config.endpoints = {served.client_url};
  auto client = etcd::EtcdClient::Create(config);
  ASSERT_TRUE(client.ok()) << client.status().message();
  served.client = std::move(*client);
  if (joining) return;
  for (int attempt = 0; attempt < 150; ++attempt) {
    if (ReadAll(*served.client).ok()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  FAIL() << "etcd did not serve from " << data_dir;
}

etcd::pb::PutRequest PutOf(const std::string& key, const std::string& value, int64_t lease = 0) {
  etcd::pb::PutRequest put;
  put.set_key(key);
  put.set_value(value);
  put.set_lease(lease);
  return put;
}

const std::string kPrefix = "/registry/configmaps/default/cm";

// Every kind of request, each checked to have done (or not done) what etcd says.
void WriteEveryKind(etcd::EtcdClient& client) {
  // Deletions first (etcd 3.5+ commits its db at each): leases, keys
  // attached, one lease revoked with its keys.
  auto kept = client.LeaseGrant(3600);
  auto revoked = client.LeaseGrant(3600);
  ASSERT_TRUE(kept.ok() && revoked.ok());
  ASSERT_TRUE(client.Put(PutOf("/registry/events/default/e1", "event 1", kept->id())).ok());
  ASSERT_TRUE(client.Put(PutOf("/registry/events/default/e2", "event 2", revoked->id())).ok());
  ASSERT_TRUE(client.Put(PutOf("/registry/events/default/e3", "event 3", revoked->id())).ok());
  ASSERT_TRUE(client.LeaseRevoke(revoked->id()).ok());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(client.Put(PutOf(kPrefix + std::to_string(i), "v" + std::to_string(i))).ok());
  // A range delete: cm4 and cm40..cm49 in one revision.
  etcd::pb::DeleteRangeRequest range;
  range.set_key(kPrefix + "4");
  range.set_range_end(kPrefix + "5");
  auto deleted = client.DeleteRange(range);
  ASSERT_TRUE(deleted.ok());
  ASSERT_EQ(deleted->deleted(), 11);

  etcd::pb::RangeRequest get;
  get.set_key(kPrefix + "1");
  auto cm1 = client.Range(get);
  ASSERT_TRUE(cm1.ok());
  // A txn taking its success branch: a put, a delete and a nested txn.
  etcd::pb::TxnRequest txn;
  auto* compare = txn.add_compare();
  compare->set_key(kPrefix + "1");
  compare->set_target(etcd::pb::Compare::MOD);
  compare->set_result(etcd::pb::Compare::EQUAL);
  compare->set_mod_revision(cm1->kvs(0).mod_revision());
  *txn.add_success()->mutable_request_put() = PutOf(kPrefix + "1", "txn-success");
  txn.add_success()->mutable_request_delete_range()->set_key(kPrefix + "2");
  etcd::pb::TxnRequest* nested = txn.add_success()->mutable_request_txn();
  auto* nested_compare = nested->add_compare();
  nested_compare->set_key(kPrefix + "3");
  nested_compare->set_target(etcd::pb::Compare::VALUE);
  nested_compare->set_result(etcd::pb::Compare::EQUAL);
  nested_compare->set_value("not v3");
  *nested->add_failure()->mutable_request_put() = PutOf(kPrefix + "3", "nested-failure");
  *txn.add_failure()->mutable_request_put() = PutOf(kPrefix + "1", "txn-failure");
  auto done = client.Txn(txn);
  ASSERT_TRUE(done.ok() && done->succeeded());

  // From here on no deletion (etcd 3.5+ commits its db at each): every
  // request stays in the WAL alone.
  ASSERT_TRUE(client.Put(PutOf(kPrefix + "0", "overwritten")).ok());
  // A put-only txn with a nested one, both taking their success branch.
  etcd::pb::TxnRequest puts;
  auto* version = puts.add_compare();
  version->set_key(kPrefix + "1");
  version->set_target(etcd::pb::Compare::VERSION);
  version->set_result(etcd::pb::Compare::EQUAL);
  version->set_version(2);
  *puts.add_success()->mutable_request_put() = PutOf(kPrefix + "8", "txn put");
  etcd::pb::TxnRequest* inner = puts.add_success()->mutable_request_txn();
  auto* created = inner->add_compare();
  created->set_key(kPrefix + "9");
  created->set_target(etcd::pb::Compare::CREATE);
  created->set_result(etcd::pb::Compare::GREATER);
  created->set_create_revision(0);
  *inner->add_success()->mutable_request_put() = PutOf(kPrefix + "9", "nested success", kept->id());
  done = client.Txn(puts);
  ASSERT_TRUE(done.ok() && done->succeeded());
  // A txn taking its failure branch (a value compared on a missing key fails).
  etcd::pb::TxnRequest failing;
  auto* missing = failing.add_compare();
  missing->set_key(kPrefix + "missing");
  missing->set_target(etcd::pb::Compare::VALUE);
  missing->set_result(etcd::pb::Compare::NOT_EQUAL);
  missing->set_value("x");
  *failing.add_success()->mutable_request_put() = PutOf(kPrefix + "5", "success-branch");
  *failing.add_failure()->mutable_request_put() = PutOf(kPrefix + "5", "failure-branch");
  done = client.Txn(failing);
  ASSERT_TRUE(done.ok() && !done->succeeded());
  // A read-only txn: no revision.
  etcd::pb::TxnRequest reading;
  *reading.add_success()->mutable_request_range() = get;
  ASSERT_TRUE(client.Txn(reading).ok());

  // A put keeping its value and taking a lease.
  etcd::pb::PutRequest keep_value = PutOf(kPrefix + "0", "", kept->id());
  keep_value.set_ignore_value(true);
  ASSERT_TRUE(client.Put(keep_value).ok());

  // Refused by etcd when applied: a lease that does not exist, in a put and
  // in a txn; a value kept for a key that does not exist.
  EXPECT_FALSE(client.Put(PutOf(kPrefix + "6", "no such lease", revoked->id())).ok());
  etcd::pb::TxnRequest refused;
  *refused.add_success()->mutable_request_put() = PutOf(kPrefix + "7", "no such lease", revoked->id());
  EXPECT_FALSE(client.Txn(refused).ok());
  etcd::pb::PutRequest no_key = PutOf(kPrefix + "none", "");
  no_key.set_ignore_value(true);
  EXPECT_FALSE(client.Put(no_key).ok());
  ASSERT_TRUE(client.Put(PutOf(kPrefix + "last", "the last write")).ok());
}

TEST(ClusterRecoverTest, CommittedEntriesTheDbLacksAreAppliedAsEtcdWould) {
  auto started = EtcdCluster::Start(
      {.members = 1, .extra_args = {"--backend-batch-interval=10m", "--backend-batch-limit=1000000"}});
  ASSERT_TRUE(started.ok()) << started.status().message();
  EtcdCluster& cluster = **started;
  auto client = etcd::EtcdClient::Create(cluster.ClientConfig());
  ASSERT_TRUE(client.ok());
  ASSERT_NO_FATAL_FAILURE(WriteEveryKind(**client));
  int64_t revision = 0;
  auto expected = ReadAll(**client, &revision);
  ASSERT_TRUE(expected.ok());
  auto lease_of = [&](const std::string& key) { return expected->at(key).lease; };
  const int64_t kept_lease = lease_of("/registry/events/default/e1");
  ASSERT_NE(kept_lease, 0);
  ASSERT_EQ(expected->count("/registry/events/default/e2"), 0u);

  // Captured as etcd left it when stopped right after the commits.
  const std::string captured = CopyPaused(cluster, 0, cluster.dir() + "/captured.etcd");
  const std::string peer = "http://127.0.0.1:" + std::to_string(FreePort());
  const std::string data_dir = cluster.dir() + "/recovered.etcd";
  auto recover = [&](const std::string& from, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"cluster", "recover", "--from", from, "--name", "r", "--initial-cluster",
                                     "r=" + peer, "--initial-advertise-peer-urls", peer, "--data-dir", data_dir};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKetcd(args);
  };
  auto running = recover(cluster.DataDir(0));
  EXPECT_EQ(running.exit_code, 2) << Describe(running);
  EXPECT_NE(running.err.find("a running etcd holds it"), std::string::npos) << running.err;
  cluster.KillMember(0);
  auto inspected = RunKetcd({"datadir", "inspect", captured, "-w", "json"});
  ASSERT_EQ(inspected.exit_code, 0) << Describe(inspected);
  const json report = json::parse(inspected.out)["dataDirs"][0];
  ASSERT_GE(report["lastIndex"].get<uint64_t>() - report["consistentIndex"].get<uint64_t>(), 8u) << report.dump();

  // A WAL with a bad CRC is refused naming the file and the offset.
  const std::string wal = "/member/wal/0000000000000000-0000000000000000.wal";
  const std::string flipped = cluster.dir() + "/flipped.etcd";
  fs::copy(captured, flipped, fs::copy_options::recursive);
  {
    std::ifstream in(captured + wal, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A byte of an entry's data (a value written), which its CRC covers.
    const size_t at = bytes.find("overwritten");
    ASSERT_NE(at, std::string::npos);
    std::fstream file(flipped + wal, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(at));
    file.write("O", 1);
  }
  auto bad_crc = recover(flipped);
  EXPECT_NE(bad_crc.exit_code, 0) << Describe(bad_crc);
  EXPECT_NE(bad_crc.err.find("0000000000000000-0000000000000000.wal at offset"), std::string::npos) << bad_crc.err;
  EXPECT_FALSE(fs::exists(data_dir));
  // Dirs of two clusters together are refused.
  auto other = EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(other.ok()) << other.status().message();
  (*other)->StopMember(0);
  auto mixed = recover(captured, {"--from", (*other)->DataDir(0)});
  EXPECT_EQ(mixed.exit_code, 2) << Describe(mixed);
  EXPECT_NE(mixed.err.find("belongs to cluster"), std::string::npos) << mixed.err;

  auto recovered = recover(captured, {"-w", "json"});
  ASSERT_EQ(recovered.exit_code, 0) << Describe(recovered);
  const json result = json::parse(recovered.out);
  EXPECT_EQ(result["revision"].get<int64_t>(), revision) << recovered.out;
  EXPECT_EQ(result["requestsRefused"].get<uint64_t>(), 3u) << recovered.out;

  Served served;
  ASSERT_NO_FATAL_FAILURE(Serve(cluster.MemberBinary(0), "r", data_dir, peer, served));
  int64_t served_revision = 0;
  auto got = ReadAll(*served.client, &served_revision);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(served_revision, revision + 1'000'000'000);
  for (const auto& [key, stored] : *got) EXPECT_EQ(expected->count(key), 1u) << key << " should not be there";
  for (const auto& [key, stored] : *expected) {
    auto found = got->find(key);
    ASSERT_NE(found, got->end()) << key;
    EXPECT_EQ(found->second, stored) << key << ": " << found->second.value << " vs " << stored.value;
  }
  auto ttl = served.client->LeaseTimeToLive(kept_lease, true);
  ASSERT_TRUE(ttl.ok()) << ttl.status().message();
  EXPECT_EQ(ttl->grantedttl(), 3600);
  EXPECT_EQ(ttl->keys_size(), 3) << "e1, cm0 and cm9";
  served.server.Stop();

  // An existing data dir is never overwritten.
  auto again = recover(captured);
  EXPECT_EQ(again.exit_code, 2) << Describe(again);
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;
}

// Unique keys written and deleted at >= 100/s; what was acknowledged. Four
// writers, as an API server has several: the rate does not hang on one
// put's latency (a slow CI disk held one writer just under 100/s).
class AcknowledgedWriter {
 public:
  explicit AcknowledgedWriter(const etcd::ConnectionConfig& config) {
    etcd::ConnectionConfig short_config = config;
    short_config.command_timeout = std::chrono::milliseconds(1500);
    start_ = std::chrono::steady_clock::now();
    for (int writer = 0; writer < 4; ++writer) {
      auto client = etcd::EtcdClient::Create(short_config);
      if (!client.ok()) continue;
      threads_.emplace_back([this, writer, client = std::shared_ptr<etcd::EtcdClient>(std::move(*client))] {
        Run(writer, *client);
      });
    }
  }
  ~AcknowledgedWriter() { Stop(); }
  void Stop() {
    stop_ = true;
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  size_t acknowledged() {
    std::lock_guard lock(mutex_);
    return present_.size() + deleted_.size();
  }
  std::map<std::string, std::string> present() {
    std::lock_guard lock(mutex_);
    return present_;
  }
  std::vector<std::string> deleted() {
    std::lock_guard lock(mutex_);
    return deleted_;
  }
  double rate() const { return rate_; }

 private:
  void Run(int writer, etcd::EtcdClient& client) {
    const std::string keys = "/registry/configmaps/load/w" + std::to_string(writer) + "-k";
    for (int i = 0; !stop_; ++i) {
      const std::string key = keys + std::to_string(i);
      const std::string value = "value " + std::to_string(i);
      if (i % 10 == 9) {  // a txn creating the key only if absent
        etcd::pb::TxnRequest txn;
        auto* compare = txn.add_compare();
        compare->set_key(key);
        compare->set_target(etcd::pb::Compare::CREATE);
        compare->set_result(etcd::pb::Compare::EQUAL);
        compare->set_create_revision(0);
        *txn.add_success()->mutable_request_put() = PutOf(key, value);
        if (!client.Txn(txn).ok()) continue;
      } else if (!client.Put(PutOf(key, value)).ok()) {
        continue;
      }
      std::string deleted;
      bool delete_unknown = false;
      if (i % 7 == 6) {  // delete an earlier key
        etcd::pb::DeleteRangeRequest del;
        del.set_key(keys + std::to_string(i - 3));
        deleted = del.key();
        // A delete that timed out may still be in the survivor's WAL, and
        // recovery takes such entries: the key's fate is unknown.
        delete_unknown = !client.DeleteRange(del).ok();
      }
      std::lock_guard lock(mutex_);
      present_[key] = value;
      if (!deleted.empty() && present_.erase(deleted) > 0 && !delete_unknown) deleted_.push_back(deleted);
      ++acked_;
      rate_ = acked_ / std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
  }

  std::chrono::steady_clock::time_point start_;
  std::atomic<bool> stop_ = false;
  std::mutex mutex_;
  std::map<std::string, std::string> present_;
  std::vector<std::string> deleted_;
  int acked_ = 0;  // under mutex_
  std::atomic<double> rate_ = 0;
  std::vector<std::thread> threads_;
};

std::string InitialClusterFrom(const std::string& member_add_output) {
  std::smatch match;
  const std::regex line("ETCD_INITIAL_CLUSTER=\"([^\"]+)\"");
  return std::regex_search(member_add_output, match, line) ? match[1].str() : "";
}

TEST(ClusterRecoverTest, AQuorumLossIsRecoveredFromTheSurvivorWithEveryAcknowledgedWrite) {
  auto started = EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(started.ok()) << started.status().message();
  EtcdCluster& cluster = **started;
  // The writer talks to the survivor: what it acknowledged, the survivor applied.
  etcd::ConnectionConfig survivor_config = cluster.ClientConfig();
  survivor_config.endpoints = {cluster.ClientUrl(0)};
  AcknowledgedWriter writer(survivor_config);
  auto wait_for = [&](size_t writes) {
    for (int i = 0; i < 600 && writer.acknowledged() < writes; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  wait_for(150);
  const std::string early = CopyPaused(cluster, 1, cluster.dir() + "/early.etcd");
  wait_for(writer.acknowledged() + 150);
  const std::string later = CopyPaused(cluster, 2, cluster.dir() + "/later.etcd");
  wait_for(writer.acknowledged() + 150);
  cluster.KillMember(1);
  cluster.KillMember(2);
  std::error_code error;
  fs::remove_all(cluster.DataDir(1), error);
  fs::remove_all(cluster.DataDir(2), error);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // writes fail now: no quorum
  cluster.KillMember(0);
  writer.Stop();
  EXPECT_GE(writer.rate(), 100.0) << "writes per second acknowledged";
  const std::map<std::string, std::string> present = writer.present();
  const std::vector<std::string> deleted = writer.deleted();
  ASSERT_GT(present.size(), 400u);
  ASSERT_FALSE(deleted.empty());

  const std::string survivor = cluster.DataDir(0);
  auto inspected = RunKetcd({"datadir", "inspect", early, later, survivor});
  ASSERT_EQ(inspected.exit_code, 0) << Describe(inspected);
  EXPECT_NE(inspected.out.find("Recommended: " + survivor), std::string::npos) << inspected.out;

  const std::string peer = "http://127.0.0.1:" + std::to_string(FreePort());
  const std::string data_dir = cluster.dir() + "/recovered.etcd";
  auto recovered = RunKetcd({"cluster", "recover", "--from", early, "--from", later, "--from", survivor, "--name",
                             "r0", "--initial-cluster", "r0=" + peer, "--initial-advertise-peer-urls", peer,
                             "--data-dir", data_dir});
  ASSERT_EQ(recovered.exit_code, 0) << Describe(recovered);
  EXPECT_NE(recovered.out.find("Recovering from " + survivor), std::string::npos) << recovered.out;
  EXPECT_NE(recovered.out.find("ketcd member add NAME --peer-urls PEER_URL --learner"), std::string::npos)
      << recovered.out;

  // The printed steps: start it alone, then add, start and promote two members.
  Served first;
  ASSERT_NO_FATAL_FAILURE(Serve(cluster.MemberBinary(0), "r0", data_dir, peer, first));
  std::vector<Served> joined(2);
  for (int i = 1; i <= 2; ++i) {
    const std::string name = "r" + std::to_string(i);
    const std::string member_peer = "http://127.0.0.1:" + std::to_string(FreePort());
    // etcd refuses changes for a few seconds after a member (re)connects.
    CommandResult added;
    for (int attempt = 0; attempt < 60; ++attempt) {
      added = RunKetcd({"member", "add", name, "--peer-urls", member_peer, "--learner", "--endpoints",
                        first.client_url});
      if (added.exit_code == 0 || added.err.find("unhealthy cluster") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    ASSERT_EQ(added.exit_code, 0) << Describe(added);
    const std::string initial_cluster = InitialClusterFrom(added.out);
    ASSERT_FALSE(initial_cluster.empty()) << added.out;
    ASSERT_NO_FATAL_FAILURE(Serve(cluster.MemberBinary(0), name, cluster.dir() + "/" + name + ".etcd", member_peer,
                                  joined[i - 1],
                                  {"--initial-cluster", initial_cluster, "--initial-cluster-state", "existing"}, true));
    CommandResult promoted;
    for (int attempt = 0; attempt < 120; ++attempt) {
      promoted = RunKetcd({"member", "promote", name, "--endpoints", first.client_url});
      if (promoted.exit_code == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    ASSERT_EQ(promoted.exit_code, 0) << Describe(promoted);
  }
  auto members = first.client->MemberList();
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->members_size(), 3);
  for (const auto& member : members->members()) EXPECT_FALSE(member.islearner()) << member.name();

  // Every acknowledged write is there, read from a member that joined.
  Result<Keyspace> got = Internal("not read");
  for (int attempt = 0; attempt < 100 && !got.ok(); ++attempt) {
    got = ReadAll(*joined[1].client);
    if (!got.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(got.ok()) << got.status().message();
  std::vector<std::string> missing;
  for (const auto& [key, value] : present) {
    auto found = got->find(key);
    if (found == got->end() || found->second.value != value) missing.push_back(key);
  }
  EXPECT_EQ(missing.size(), 0u) << "of " << present.size() << " acknowledged keys, e.g. "
                                << (missing.empty() ? "" : missing.front());
  for (const std::string& key : deleted) EXPECT_EQ(got->count(key), 0u) << key << " was deleted";
  for (auto& member : joined) member.server.Stop();
  first.server.Stop();
}

}  // namespace
}  // namespace ketcd::testing
