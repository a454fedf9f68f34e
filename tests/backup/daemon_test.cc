// `ketcd backup daemon` as a process: backups on a schedule with
// retention, /metrics and /healthz, a destination with wrong credentials
// counted as failures (unhealthy), SIGTERM stops it cleanly, finishing a
// run in flight first.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "backup/configmap_cluster.h"
#include "backup/catalog.h"
#include "backup/http_client.h"
#include "backup/keyspace_oracle.h"
#include "support/cli_runner.h"
#include "util/utc_time.h"
#include "support/etcd_cluster.h"
#include "support/object_store.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;

// The value of a metric line "NAME VALUE" (labels included in NAME), -1 if absent.
double Metric(const std::string& text, const std::string& name) {
  const std::regex line("(^|\n)" + std::regex_replace(name, std::regex(R"([{}"\\.])"), R"(\$&)") + " ([0-9.e+-]+)");
  std::smatch match;
  return std::regex_search(text, match, line) ? std::stod(match[2]) : -1;
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = StartClusterWithConfigMaps(50);
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
    dir_ = cluster_->dir();
    port_ = FreePort();
  }
  void StartDaemon(const std::string& destinations, const std::string& schedule = "@every 2s",
                   const std::string& uploads = "upload_attempts: 1\n", const std::vector<std::string>& flags = {},
                   int keep_last = 2) {
    std::ofstream(dir_ + "/backup.yaml") << "name: prod\nschedule: \"" << schedule << "\"\nretries: 0\n" << uploads
                                         << "destinations:\n" << destinations << "retention:\n  keep_last: "
                                         << keep_last << "\n";
    ASSERT_TRUE(daemon_.Start(Args(Args({KETCD_BINARY}, cluster_->ConnectionFlags()),
                                   Args({"backup", "daemon", "--config", dir_ + "/backup.yaml", "--listen",
                                         "127.0.0.1:" + std::to_string(port_)},
                                        flags)),
                              dir_ + "/daemon.log"));
  }
  // GET path on the daemon: status and body (status 0 when unreachable).
  std::pair<long, std::string> Get(const std::string& path) {
    backup::HttpClient http;
    backup::HttpRequest request;
    request.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    auto response = http.Send(request);
    if (!response.ok()) return {0, response.status().message()};
    return {response->status, response->body};
  }
  // Polls /metrics until `done` holds (60 s at most).
  std::string MetricsWhen(const std::function<bool(const std::string&)>& done) {
    std::string text;
    for (int i = 0; i < 600; ++i) {
      auto [status, body] = Get("/metrics");
      text = body;
      if (status == 200 && done(text)) return text;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "metrics never got there:\n" << text << "\nlog:\n" << Log();
    return text;
  }
  // The chains the store in backup.yaml holds, newest full backup first.
  std::vector<backup::Chain> Chains() {
    auto config = backup::LoadBackupConfig(dir_ + "/backup.yaml");
    EXPECT_TRUE(config.ok()) << config.status().message();
    if (!config.ok()) return {};
    auto listed = backup::ListBackups(*config);
    EXPECT_TRUE(listed.ok()) << listed.status().message();
    return listed.ok() ? backup::GroupChains(*listed) : std::vector<backup::Chain>{};
  }
  std::string Log() {
    std::ifstream log(dir_ + "/daemon.log");
    return std::string((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  }

  std::unique_ptr<EtcdCluster> cluster_;
  std::string dir_;
  int port_ = 0;
  BackgroundProcess daemon_;
};

TEST_F(DaemonTest, BacksUpOnScheduleServesMetricsAndStopsOnSigterm) {
  StartDaemon("  - " + dir_ + "/store\n");
  const std::string metrics = MetricsWhen([](const std::string& text) {
    return Metric(text, "ketcd_backup_runs_total{result=\"success\"}") >= 3;
  });
  EXPECT_EQ(Metric(metrics, "ketcd_backup_runs_total{result=\"failure\"}"), 0) << metrics;
  EXPECT_GT(Metric(metrics, "ketcd_backup_last_success_timestamp_seconds"), 1.7e9) << metrics;
  EXPECT_GT(Metric(metrics, "ketcd_backup_last_size_bytes"), 1000) << metrics;
  EXPECT_GT(Metric(metrics, "ketcd_backup_last_revision"), 50) << metrics;
  EXPECT_GE(Metric(metrics, "ketcd_backup_last_duration_seconds"), 0) << metrics;
  EXPECT_GT(Metric(metrics, "ketcd_backup_next_run_timestamp_seconds"), 1.7e9) << metrics;
  EXPECT_TRUE(Contains(metrics, "# TYPE ketcd_backup_runs_total counter")) << metrics;
  EXPECT_EQ(Get("/healthz"), (std::pair<long, std::string>{200, "ok\n"}));
  EXPECT_EQ(Get("/other").first, 404);

  EXPECT_EQ(daemon_.Stop(std::chrono::seconds(30)), 0) << Log();
  EXPECT_TRUE(Contains(Log(), "stopping")) << Log();
  EXPECT_EQ(Get("/metrics").first, 0);  // the server is gone with it
  // Retention held after every run: two backups, two manifests.
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir_ + "/store")) files += !entry.path().filename().string().starts_with(".");
  EXPECT_EQ(files, 4u);
  auto list = RunKetcd({"backup", "list", "--config", dir_ + "/backup.yaml", "-w", "json"});
  EXPECT_EQ(std::count(list.out.begin(), list.out.end(), '{'), 2) << Describe(list);
}

TEST_F(DaemonTest, WrongCredentialsAreCountedAndUnhealthy) {
  auto store = ObjectStore::Start(StoreKind::kS3, dir_ + "/s3");
  if (!store.ok() && store.status().code() == ErrorCode::kNotFound) GTEST_SKIP() << store.status().message();
  ASSERT_TRUE(store.ok()) << store.status().message();
  StartDaemon("  - " + dir_ + "/store\n" + (*store)->DestinationYaml("etcd", Credentials::kWrong));
  const std::string label = "ketcd_backup_destination_failures_total{destination=\"" + (*store)->url("etcd") + "\"}";
  const std::string metrics = MetricsWhen([&](const std::string& text) { return Metric(text, label) >= 2; });
  EXPECT_GE(Metric(metrics, "ketcd_backup_runs_total{result=\"failure\"}"), 2) << metrics;
  EXPECT_EQ(Metric(metrics, "ketcd_backup_destination_failures_total{destination=\"dir:" + dir_ + "/store\"}"), -1)
      << metrics;
  auto [status, body] = Get("/healthz");
  EXPECT_EQ(status, 503);
  // A fixed text and a time: store errors stay in the log.
  EXPECT_TRUE(Contains(body, "last backup failed at 20")) << body;
  EXPECT_FALSE(Contains(body, "HTTP 403")) << body;
  EXPECT_TRUE(Contains(Log(), "InvalidAccessKeyId")) << Log();
  EXPECT_EQ(daemon_.Stop(std::chrono::seconds(30)), 0) << Log();
}

TEST_F(DaemonTest, SigtermFinishesTheRunInFlight) {
  auto store = ObjectStore::Start(StoreKind::kS3, dir_ + "/s3");
  if (!store.ok() && store.status().code() == ErrorCode::kNotFound) GTEST_SKIP() << store.status().message();
  ASSERT_TRUE(store.ok()) << store.status().message();
  (*store)->Kill();  // the run stays in flight, retrying, until the store is back
  StartDaemon("  - " + dir_ + "/store\n" + (*store)->DestinationYaml("etcd"), "@daily",
              "upload_attempts: 6\nretry_pause: 1s\n", {"--run-now"});
  MetricsWhen([](const std::string& text) { return Metric(text, "ketcd_backup_running") == 1; });
  ::kill(daemon_.pid(), SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE((*store)->Restart().ok());
  EXPECT_EQ(daemon_.Stop(std::chrono::seconds(60)), 0) << Log();
  const std::string log = Log();
  EXPECT_TRUE(Contains(log, "stored in 2 destination(s)")) << log;
  EXPECT_LT(log.find("stored in 2 destination(s)"), log.find("stopping")) << log;
  auto list = RunKetcd({"backup", "list", "--config", dir_ + "/backup.yaml", "-w", "json"});
  EXPECT_EQ(std::count(list.out.begin(), list.out.end(), '{'), 2) << Describe(list);  // one backup, two stores
}

// Issue 18's oracle: the daemon records 2 s delta segments while a writer
// makes over 100 changes a second for 60 s, with a full backup in the
// middle; 20 random revisions and the latest come back as exactly etcd's
// keyspace at that revision (keys, values, create/mod revision, version,
// lease), and a moment as the newest revision the daemon had seen by then.
TEST_F(DaemonTest, ContinuousBackupRestoresAnyRevisionOfTheLastMinute) {
  StartDaemon("  - " + dir_ + "/store\n", "@every 30s", "upload_attempts: 1\ndelta_interval: 2s\n", {"--run-now"}, 5);
  MetricsWhen([](const std::string& text) { return Metric(text, "ketcd_backup_runs_total{result=\"success\"}") >= 1; });
  auto client = etcd::EtcdClient::Create(cluster_->ClientConfig());
  ASSERT_TRUE(client.ok());
  const int64_t start = CurrentRevision(**client);
  std::atomic<bool> stop{false};
  int64_t lease = 0;
  std::thread writer(WriteMixed, cluster_->ClientConfig(), std::cref(stop), &lease);
  std::this_thread::sleep_for(std::chrono::seconds(60));
  stop = true;
  writer.join();
  const int64_t last = CurrentRevision(**client);
  EXPECT_GE(last - start, 6000) << "at least 100 changes a second";
  const std::string metrics = MetricsWhen([&](const std::string& text) {
    return Metric(text, "ketcd_backup_chain_revision") >= static_cast<double>(last);
  });
  EXPECT_GE(Metric(metrics, "ketcd_backup_delta_segments_total"), 20) << metrics;
  EXPECT_EQ(Metric(metrics, "ketcd_backup_chain_lag_revisions"), 0) << metrics;
  EXPECT_EQ(Metric(metrics, "ketcd_backup_chain_lag_seconds"), 0) << metrics;
  EXPECT_GE(Metric(metrics, "ketcd_backup_runs_total{result=\"success\"}"), 2) << metrics;
  EXPECT_EQ(daemon_.Stop(std::chrono::seconds(30)), 0) << Log();

  // The chains follow each other without a gap: each ends where the next full backup is.
  std::vector<backup::Chain> chains = Chains();
  ASSERT_GE(chains.size(), 2u) << Log();
  std::reverse(chains.begin(), chains.end());  // oldest first
  for (size_t i = 0; i + 1 < chains.size(); ++i) {
    EXPECT_EQ(chains[i].last_revision, chains[i + 1].full.manifest.revision) << chains[i].full.manifest.name;
    EXPECT_EQ(chains[i].detached, 0u);
  }
  EXPECT_EQ(chains.back().last_revision, last);
  const int64_t first = chains.front().full.manifest.revision;
  ASSERT_LE(first, start);

  // `backup restore` into a data dir (revision bumped, as for any point in
  // the past); its backend holds etcd's keyspace at that revision.
  auto check = [&](const std::vector<std::string>& point, int64_t expected) {
    const std::string data_dir = dir_ + "/point-" + std::to_string(expected) + ".etcd";
    auto restored = RunKetcd(Args({"backup", "restore", "--config", dir_ + "/backup.yaml", "--data-dir", data_dir},
                                  point));
    EXPECT_EQ(restored.exit_code, 0) << Describe(restored);
    EXPECT_TRUE(Contains(restored.out, "Point in time: revision " + std::to_string(expected) + " ")) << restored.out;
    const Keyspace expected_keys = EtcdAt(**client, expected);
    const Keyspace keys = SnapshotKeyspace(data_dir + "/member/snap/db");
    EXPECT_EQ(keys.size(), expected_keys.size()) << "at revision " << expected;
    EXPECT_TRUE(keys == expected_keys) << "at revision " << expected;
    fs::remove_all(data_dir);
  };
  std::mt19937 random(5);
  for (int i = 0; i < 20; ++i) {
    const int64_t at = first + static_cast<int64_t>(random() % static_cast<uint64_t>(last - first + 1));
    check({"--to-revision", std::to_string(at)}, at);
  }
  check({"--latest"}, last);
  // A moment: the start of a segment in the middle of the longest chain.
  const auto& segments = std::max_element(chains.begin(), chains.end(), [](const auto& a, const auto& b) {
                           return a.segments.size() < b.segments.size();
                         })->segments;
  ASSERT_GE(segments.size(), 5u);
  const backup::Manifest& middle = segments[segments.size() / 2];
  auto timed = RunKetcd({"backup", "get", "--config", dir_ + "/backup.yaml", "--out", dir_ + "/timed.db", "--to-time",
                         Rfc3339MillisUtc(middle.first_seen_millis)});
  ASSERT_EQ(timed.exit_code, 0) << Describe(timed);
  std::smatch found;
  ASSERT_TRUE(std::regex_search(timed.out, found, std::regex("Point in time: revision ([0-9]+) "))) << timed.out;
  const int64_t at = std::stoll(found[1]);
  EXPECT_GE(at, middle.first_revision);
  EXPECT_LE(at, middle.revision);
  EXPECT_TRUE(SnapshotKeyspace(dir_ + "/timed.db") == EtcdAt(**client, at)) << "at revision " << at;
}

// SIGKILL in the middle of a segment: restarted, the daemon continues the
// same chain from its last stored revision (etcd still has the ones after
// it), so nothing is lost and no full backup is needed.
TEST_F(DaemonTest, AfterSigkillTheChainContinuesWithoutAGap) {
  const std::string uploads = "upload_attempts: 1\ndelta_interval: 1s\n";
  StartDaemon("  - " + dir_ + "/store\n", "@daily", uploads, {"--run-now"}, 5);
  std::atomic<bool> stop{false};
  int64_t lease = 0;
  std::thread writer(WriteMixed, cluster_->ClientConfig(), std::cref(stop), &lease);
  MetricsWhen([](const std::string& text) { return Metric(text, "ketcd_backup_delta_segments_total") >= 2; });
  daemon_.Kill();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // written while no daemon runs
  StartDaemon("  - " + dir_ + "/store\n", "@daily", uploads, {}, 5);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  writer.join();
  auto client = etcd::EtcdClient::Create(cluster_->ClientConfig());
  ASSERT_TRUE(client.ok());
  const int64_t last = CurrentRevision(**client);
  const std::string metrics = MetricsWhen([&](const std::string& text) {
    return Metric(text, "ketcd_backup_chain_revision") >= static_cast<double>(last);
  });
  EXPECT_EQ(Metric(metrics, "ketcd_backup_runs_total{result=\"success\"}"), 0) << "no new full backup: " << metrics;
  EXPECT_EQ(daemon_.Stop(std::chrono::seconds(30)), 0) << Log();
  EXPECT_TRUE(Contains(Log(), "continuing the chain of prod-")) << Log();

  const std::vector<backup::Chain> chains = Chains();
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0].last_revision, last);
  EXPECT_EQ(chains[0].detached, 0u);
  auto got = RunKetcd({"backup", "get", "--config", dir_ + "/backup.yaml", "--latest", "--out", dir_ + "/latest.db"});
  ASSERT_EQ(got.exit_code, 0) << Describe(got);
  EXPECT_TRUE(SnapshotKeyspace(dir_ + "/latest.db") == EtcdAt(**client, last));
}

// etcd compacted past the watch (the daemon stalled while etcd restarted
// and compacted what it had not read yet): the chain ends "compacted" at
// the last revision it holds, a full backup is taken at once, and the
// revisions between are in no window.
TEST_F(DaemonTest, ACompactionPastTheWatchEndsTheChainAndTakesAFullBackupAtOnce) {
  StartDaemon("  - " + dir_ + "/store\n", "@daily", "upload_attempts: 1\ndelta_interval: 500ms\n", {"--run-now"}, 5);
  MetricsWhen([](const std::string& text) { return Metric(text, "ketcd_backup_runs_total{result=\"success\"}") >= 1; });
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cluster_->Put({{"/registry/pods/default/before", std::to_string(i)}}).ok());
  MetricsWhen([](const std::string& text) { return Metric(text, "ketcd_backup_chain_lag_revisions") == 0; });

  ::kill(daemon_.pid(), SIGSTOP);
  cluster_->StopMember(0);  // the daemon's watch stream is gone with it
  ASSERT_TRUE(cluster_->RestartMember(0).ok());
  auto client = etcd::EtcdClient::Create(cluster_->ClientConfig());
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cluster_->Put({{"/registry/pods/default/unseen", std::to_string(i)}}).ok());
  const int64_t compacted = CurrentRevision(**client);
  etcd::pb::CompactionRequest compact;
  compact.set_revision(compacted);
  compact.set_physical(true);
  ASSERT_TRUE((*client)->Compact(compact).ok());
  ::kill(daemon_.pid(), SIGCONT);

  const std::string metrics = MetricsWhen([](const std::string& text) {
    return Metric(text, "ketcd_backup_runs_total{result=\"success\"}") >= 2;
  });
  EXPECT_EQ(daemon_.Stop(std::chrono::seconds(30)), 0) << Log();
  EXPECT_TRUE(Contains(Log(), "compacted")) << Log();
  const std::vector<backup::Chain> chains = Chains();
  ASSERT_EQ(chains.size(), 2u) << Log();
  EXPECT_GE(chains[0].full.manifest.revision, compacted) << "the new full backup";
  EXPECT_LT(chains[1].last_revision, compacted - 4) << "the old chain ends before the unseen writes";
  auto gap = RunKetcd({"backup", "get", "--config", dir_ + "/backup.yaml", "--to-revision",
                       std::to_string(compacted - 1), "--out", dir_ + "/gap.db"});
  EXPECT_NE(gap.exit_code, 0) << Describe(gap);
  EXPECT_TRUE(Contains(gap.err, "is in no backup's window")) << gap.err;
}

// `backup run --follow`: the same in the foreground, without /metrics;
// SIGTERM stores the open segment and exits 0.
TEST_F(DaemonTest, RunFollowRecordsSegmentsUntilSigterm) {
  std::ofstream(dir_ + "/backup.yaml") << "name: prod\ndelta_interval: 500ms\nupload_attempts: 1\ndestinations:\n  - "
                                       << dir_ << "/store\n";
  ASSERT_TRUE(daemon_.Start(Args(Args({KETCD_BINARY}, cluster_->ConnectionFlags()),
                                 {"backup", "run", "--follow", "--config", dir_ + "/backup.yaml"}),
                            dir_ + "/daemon.log"));
  for (int i = 0; i < 100 && !Contains(Log(), "stored in 1 destination(s)"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(cluster_->Put({{"/registry/pods/default/p", std::to_string(i)}}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(daemon_.pid(), SIGTERM);
  EXPECT_EQ(daemon_.Stop(std::chrono::seconds(30)), 0) << Log();
  auto list = RunKetcd({"backup", "list", "--config", dir_ + "/backup.yaml", "-w", "json"});
  ASSERT_EQ(list.exit_code, 0) << Describe(list);
  const auto listed = nlohmann::json::parse(list.out);
  ASSERT_EQ(listed.size(), 1u) << list.out;
  EXPECT_GE(listed[0]["deltas"]["segments"].get<int>(), 1) << list.out;
  const int64_t last = listed[0]["deltas"]["lastRevision"].get<int64_t>();
  EXPECT_EQ(last, listed[0]["revision"].get<int64_t>() + 20) << list.out;

  // The chain checks end to end, then merges into a full backup at its end.
  auto verify = RunKetcd({"backup", "verify", "--config", dir_ + "/backup.yaml"});
  ASSERT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_TRUE(Contains(verify.out, "Chain in dir:" + dir_ + "/store verified")) << verify.out;
  EXPECT_TRUE(Contains(verify.out, ".." + std::to_string(last) + " contiguous")) << verify.out;
  EXPECT_TRUE(Contains(verify.out, " 1 key(s) are as the events left them")) << verify.out;
  auto compact = RunKetcd({"backup", "compact", "--config", dir_ + "/backup.yaml"});
  ASSERT_EQ(compact.exit_code, 0) << Describe(compact);
  EXPECT_TRUE(Contains(compact.out, "revision " + std::to_string(last) + ", ")) << compact.out;
  auto again = RunKetcd({"backup", "compact", "--config", dir_ + "/backup.yaml", listed[0]["name"].get<std::string>()});
  EXPECT_NE(again.exit_code, 0) << Describe(again);
  EXPECT_TRUE(Contains(again.err, "holds revision " + std::to_string(last) + " already")) << again.err;
  list = RunKetcd({"backup", "list", "--config", dir_ + "/backup.yaml", "-w", "json"});
  ASSERT_EQ(list.exit_code, 0) << Describe(list);
  const auto merged = nlohmann::json::parse(list.out);
  ASSERT_EQ(merged.size(), 2u) << list.out;
  EXPECT_EQ(merged[0]["revision"].get<int64_t>(), last) << list.out;
}

}  // namespace
}  // namespace ketcd::testing
