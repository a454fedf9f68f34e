// Benchmark (issue 19): offline defrag of a stopped member's data dir,
// `ketcd defrag --data-dir` vs `etcdutl defrag --data-dir` (3.5) in the
// same run, on a real etcd's db holding OBJECTS objects of every stored
// fixture type (default 400000, about 1 GB) of which the keys of the
// resources a..l were deleted and compacted away (about half the file
// free). Three interleaved pairs, each on a fresh copy of the dir; prints
// the median time and the peak RSS of each, the sizes after, and checks
// that both results hash the keyspace as the original does (ketcd snapshot
// hashkv) and that etcd starts on ketcd's and serves the same HashKV.
//
// Usage: defrag_bench [OBJECTS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "bench_support.h"
#include "support/etcd_cluster.h"

using namespace ketcd;
using namespace ketcd::bench;
using namespace ketcd::testing;

namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "defrag_bench: %s\n", why.c_str());
  std::exit(1);
}

namespace fs = std::filesystem;

void FreshCopy(const std::string& from, const std::string& to) {
  std::error_code error;
  fs::remove_all(to, error);
  fs::copy(from, to, fs::copy_options::recursive, error);
  if (error) Die(to + ": " + error.message());
}

std::string HashKv(const std::string& db) {
  return Measure({KETCD_BINARY, "snapshot", "hashkv", db}, true).out;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int objects = argc > 1 ? std::atoi(argv[1]) : 400000;
  auto cluster = StartFixtureCluster(objects);
  etcd::ConnectionConfig config = cluster->ClientConfig();
  config.command_timeout = std::chrono::minutes(10);  // a physical compaction of half the file
  auto client = etcd::EtcdClient::Create(config);
  if (!client.ok()) Die(client.status().message());
  etcd::pb::DeleteRangeRequest del;
  del.set_key("/registry/a");
  del.set_range_end("/registry/m");
  auto deleted = (*client)->DeleteRange(del);
  if (!deleted.ok()) Die(deleted.status().message());
  etcd::pb::CompactionRequest compact;
  compact.set_revision(deleted->header().revision());
  compact.set_physical(true);
  if (auto compacted = (*client)->Compact(compact); !compacted.ok()) Die(compacted.status().message());
  // One revision past the compacted one: etcd 3.4 hashes none at it.
  etcd::pb::PutRequest last;
  last.set_key("/registry/configmaps/default/after-compaction");
  last.set_value("x");
  if (auto put = (*client)->Put(last); !put.ok()) Die(put.status().message());
  auto served_hash = (*client)->HashKV(0, 0);
  if (!served_hash.ok()) Die(served_hash.status().message());
  cluster->StopMember(0);
  const std::string original = cluster->DataDir(0);
  const std::string db = "/member/snap/db";
  const auto size_before = fs::file_size(original + db);
  const std::string hash = HashKv(original + db);
  std::printf("%d objects, %lld deleted and compacted away: db %.0f MiB\n", objects,
              static_cast<long long>(deleted->deleted()), size_before / 1048576.0);

  const std::string ours_dir = cluster->dir() + "/ours.etcd", theirs_dir = cluster->dir() + "/theirs.etcd";
  std::vector<double> ours_seconds, theirs_seconds;
  long ours_rss = 0, theirs_rss = 0;
  for (int pair = 0; pair < 3; ++pair) {
    FreshCopy(original, ours_dir);
    Sample ours = Measure({KETCD_BINARY, "defrag", "--data-dir", ours_dir});
    FreshCopy(original, theirs_dir);
    Sample theirs = Measure({KETCD_ETCDUTL, "defrag", "--data-dir", theirs_dir});
    ours_seconds.push_back(ours.seconds);
    theirs_seconds.push_back(theirs.seconds);
    ours_rss = std::max(ours_rss, ours.rss_kb);
    theirs_rss = std::max(theirs_rss, theirs.rss_kb);
  }
  const auto size_ours = fs::file_size(ours_dir + db), size_theirs = fs::file_size(theirs_dir + db);
  const bool same_hash = HashKv(ours_dir + db) == hash && HashKv(theirs_dir + db) == hash;
  std::printf("  %-34s %8.2f s  %8ld KB peak RSS  db %.0f MiB\n", "ketcd defrag --data-dir", Median(ours_seconds),
              ours_rss, size_ours / 1048576.0);
  std::printf("  %-34s %8.2f s  %8ld KB peak RSS  db %.0f MiB\n", "etcdutl 3.5 defrag --data-dir",
              Median(theirs_seconds), theirs_rss, size_theirs / 1048576.0);
  // etcd starts on ours and hashes its keyspace as before.
  fs::rename(ours_dir + db, original + db);
  if (Status restarted = cluster->RestartMember(0); !restarted.ok()) Die("etcd does not start: " + restarted.message());
  auto restarted_client = etcd::EtcdClient::Create(config);
  if (!restarted_client.ok()) Die(restarted_client.status().message());
  auto hash_after = (*restarted_client)->HashKV(0, served_hash->header().revision());
  const bool served_same = hash_after.ok() && hash_after->hash() == served_hash->hash();
  std::printf("  etcd started on ketcd's result: HashKV %s\n",
              served_same ? "unchanged" : hash_after.ok() ? "CHANGED" : hash_after.status().message().c_str());
  const double ratio = Median(ours_seconds) / std::max(0.001, Median(theirs_seconds));
  std::printf("  defrag vs etcdutl: time ratio %.2f, RSS ratio %.2f (goal: both < 1), hashkv %s  %s\n", ratio,
              static_cast<double>(ours_rss) / std::max(1L, theirs_rss), same_hash ? "unchanged" : "CHANGED",
              ratio < 1 && ours_rss < theirs_rss && same_hash && served_same ? "met" : "NOT MET");
  return same_hash && served_same ? 0 : 1;
}
