// Benchmark: snapshots of a real etcd holding OBJECTS objects of every
// stored type of the Kubernetes 1.32 round-trip fixtures (default 400000,
// about 0.9 GB), in the same run:
//   save    ketcd snapshot save  vs etcdctl snapshot save (same server)
//   status  ketcd snapshot status vs etcdctl 3.4 and etcdutl 3.5, 3.6 and
//           3.7 snapshot status on the same file, warm page cache, outputs
//           compared (ketcd with --etcdutl-compat of each)
//   verify  ketcd snapshot verify (no counterpart: printed)
//   dump    ketcd dump --snapshot (offline, decoded): throughput printed
//   restore ketcd snapshot restore vs etcdutl 3.5 (Debian): the median of
//           5 alternating pairs, one member; --all-members with 3 members
//           vs one member; then etcdctl 3.4 and etcdutl 3.6 and 3.7
//
// Usage: snapshot_bench [OBJECTS] [RUNS]
// Restores are written beside the test cluster, or under
// $KETCD_BENCH_RESTORE_DIR: --all-members copies the first member's
// database with a reflink where the file system has them (XFS, btrfs); on
// ext4 every byte is copied and written back.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sys/statfs.h>
#include <thread>
#include <unistd.h>

#include "bench_support.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/peers.h"

using namespace ketcd;
using namespace ketcd::bench;
using namespace ketcd::testing;

namespace {

// The fastest of `runs` (after one unmeasured run to warm the page cache).
Sample Fastest(const std::vector<std::string>& argv, int runs, bool warm_up) {
  if (warm_up) Measure(argv);
  Sample best = Measure(argv, true);
  for (int i = 1; i < runs; ++i) {
    Sample next = Measure(argv, true);
    if (next.seconds < best.seconds) best = next;
  }
  return best;
}

nlohmann::json StatusFields(const std::string& json_text) {
  auto status = nlohmann::json::parse(json_text);
  return {status["hash"], status["revision"], status["totalKey"], status["totalSize"],
          status.value("version", "")};
}

// Each etcdutl there is: Debian's 3.5 and the peers 3.6 and 3.7.
struct Etcdutl {
  std::string version, path;
};

std::vector<Etcdutl> Etcdutls() {
  std::vector<Etcdutl> found;
  for (Etcdutl tool : {Etcdutl{"3.5", KETCD_ETCDUTL}, Etcdutl{"3.6", PeerBinary("etcd-3.6", "etcdutl")},
                       Etcdutl{"3.7", PeerBinary("etcd-3.7", "etcdutl")}}) {
    if (std::filesystem::exists(tool.path)) {
      found.push_back(tool);
    } else {
      std::printf("  (etcdutl %s not found at %s: scripts/install-peers)\n", tool.version.c_str(),
                  tool.path.c_str());
    }
  }
  return found;
}

// The file system `path` is on, by name where it is one we care about.
std::string FileSystemOf(const std::string& path) {
  struct statfs info;
  if (::statfs(path.c_str(), &info) != 0) return "an unknown file system";
  switch (static_cast<unsigned long>(info.f_type)) {
    case 0xEF53: return "ext4 (no reflinks)";
    case 0x58465342: return "XFS";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    default: {
      char name[48];
      std::snprintf(name, sizeof name, "file system 0x%lx", static_cast<unsigned long>(info.f_type));
      return name;
    }
  }
}

// Seconds to write `copies` files of `bytes` each at once under `dir` and
// fsync them: what the disk alone costs, with no reflinks to share blocks.
double SecondsToWriteCopies(const std::string& dir, uint64_t bytes, int copies) {
  const std::string block(1 << 20, 'k');
  ::sync();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> writers;
  for (int i = 0; i < copies; ++i) {
    writers.emplace_back([&, i] {
      const std::string path = dir + "/disk-floor-" + std::to_string(i);
      std::FILE* file = std::fopen(path.c_str(), "wb");
      if (file == nullptr) return;
      for (uint64_t written = 0; written < bytes; written += block.size()) {
        std::fwrite(block.data(), 1, block.size(), file);
      }
      std::fflush(file);
      ::fsync(::fileno(file));
      std::fclose(file);
    });
  }
  for (auto& writer : writers) writer.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (int i = 0; i < copies; ++i) std::filesystem::remove(dir + "/disk-floor-" + std::to_string(i));
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const int objects = argc > 1 ? std::atoi(argv[1]) : 400000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  auto cluster = StartFixtureCluster(objects);
  const std::vector<std::string> flags = {"--endpoints", cluster->ClientUrl(0),
                                          "--command-timeout=600s"};
  const std::string dir = cluster->dir();
  const std::string ours = dir + "/ketcd.db", theirs = dir + "/etcdctl.db";

  // save: alternating, each run to a fresh file.
  Sample save_ours{1e9, 0, ""}, save_theirs{1e9, 0, ""};
  for (int run = 0; run < runs; ++run) {
    std::filesystem::remove(ours);
    std::filesystem::remove(theirs);
    Sample a = Measure(Args({"etcdctl", "snapshot", "save", theirs}, flags));
    Sample b = Measure(Args({KETCD_BINARY, "snapshot", "save", ours}, flags));
    if (a.seconds < save_theirs.seconds) save_theirs = a;
    if (b.seconds < save_ours.seconds) save_ours = b;
  }
  const double megabytes = std::filesystem::file_size(ours) / 1e6;
  std::printf("snapshot of %d objects: %.0f MB\n", objects, megabytes);
  std::printf("save (fastest of %d)\n", runs);
  PrintRow("ketcd snapshot save", save_ours);
  PrintRow("etcdctl snapshot save", save_theirs);
  std::printf("  wall-time ratio ketcd/etcdctl %.2f (target <= 1.10)\n",
              save_ours.seconds / save_theirs.seconds);

  // status: the same file, warm cache, same output.
  Sample status_ours = Fastest({KETCD_BINARY, "snapshot", "status", theirs}, runs, true);
  Sample status_theirs = Fastest({"etcdctl", "snapshot", "status", theirs}, runs, true);
  std::printf("status of the same file (warm page cache, fastest of %d)\n", runs);
  PrintRow("ketcd snapshot status", status_ours);
  PrintRow("etcdctl snapshot status (3.4)", status_theirs);
  std::printf("  outputs %s: %s", status_ours.out == status_theirs.out ? "identical" : "DIFFER",
              status_ours.out.c_str());
  std::printf("  speed-up etcdctl/ketcd %.1fx (target >= 4)\n",
              status_theirs.seconds / status_ours.seconds);
  // etcdutl 3.6+ count live keys (one more pass for ketcd); each against
  // ketcd giving that version's figures.
  const std::vector<Etcdutl> etcdutls = Etcdutls();
  for (const Etcdutl& tool : etcdutls) {
    Sample ours_compat = Fastest({KETCD_BINARY, "snapshot", "status", theirs, "-w", "json",
                                  "--etcdutl-compat", tool.version}, runs, true);
    Sample status_tool = Fastest({tool.path, "snapshot", "status", theirs, "-w", "json"}, runs, true);
    PrintRow(("ketcd snapshot status --etcdutl-compat " + tool.version).c_str(), ours_compat);
    PrintRow(("etcdutl snapshot status (" + tool.version + ")").c_str(), status_tool);
    std::printf("  figures %s etcdutl %s's; speed-up etcdutl/ketcd %.1fx%s\n",
                StatusFields(ours_compat.out) == StatusFields(status_tool.out) ? "equal to" : "DIFFER from",
                tool.version.c_str(), status_tool.seconds / ours_compat.seconds,
                tool.version == "3.5" ? " (target >= 3)" : "");
  }

  Sample verify = Fastest({KETCD_BINARY, "snapshot", "verify", ours}, 1, true);
  std::printf("verify (sha256, structure, every revision parsed)\n");
  PrintRow("ketcd snapshot verify", verify);

  Sample dump = Measure({KETCD_BINARY, "dump", "/registry/", "-o", "jsonl", "--snapshot", ours});
  std::printf("offline dump (decoded, to /dev/null)\n");
  PrintRow("ketcd dump --snapshot -o jsonl", dump);
  std::printf("  %.0f objects/s, %.0f MB/s of snapshot\n", objects / dump.seconds,
              megabytes / dump.seconds);

  const std::vector<std::string> restore_flags = {
      "--name", "r", "--initial-cluster", "r=http://127.0.0.1:2380",
      "--initial-advertise-peer-urls", "http://127.0.0.1:2380"};
  const char* restore_root = std::getenv("KETCD_BENCH_RESTORE_DIR");
  const std::string out = (restore_root != nullptr ? std::string(restore_root) : dir) + "/r";
  // Each run writes a fresh dir after the previous one's writeback is done.
  auto restore = [&](const std::string& tool, const std::vector<std::string>& extra) {
    std::filesystem::remove_all(out);
    ::sync();
    return Measure(Args({tool, "snapshot", "restore", theirs}, extra));
  };
  auto median = [](std::vector<Sample> samples) {
    std::sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) { return a.seconds < b.seconds; });
    return samples[samples.size() / 2];
  };
  std::vector<Sample> ours_runs, etcdutl_runs, all_runs;
  std::vector<std::string> one_member = restore_flags;
  one_member.insert(one_member.end(), {"--data-dir", out});
  for (int pair = 0; pair < 5; ++pair) {
    ours_runs.push_back(restore(KETCD_BINARY, one_member));
    etcdutl_runs.push_back(restore(KETCD_ETCDUTL, one_member));
  }
  for (int run = 0; run < 3; ++run) {
    all_runs.push_back(restore(KETCD_BINARY, {"--all-members", "--output-dir", out, "--name", "a",
                                              "--initial-cluster",
                                              "a=http://127.0.0.1:2380,b=http://127.0.0.1:2381,c=http://127.0.0.1:2382"}));
  }
  const Sample restore_ours = median(ours_runs), restore_etcdutl = median(etcdutl_runs),
               restore_all = median(all_runs);
  std::printf("restore into %s on %s (median of 5 alternating pairs; --all-members: median of 3)\n",
              out.c_str(), FileSystemOf(restore_root != nullptr ? restore_root : dir).c_str());
  PrintRow("ketcd snapshot restore", restore_ours);
  PrintRow("etcdutl snapshot restore (3.5)", restore_etcdutl);
  PrintRow("ketcd snapshot restore --all-members (3)", restore_all);
  std::printf("  wall-time ratio ketcd/etcdutl 3.5 %.2f (target <= 0.80), peak RSS %.0f MiB (target < 128)\n",
              restore_ours.seconds / restore_etcdutl.seconds, restore_ours.rss_kb / 1024.0);
  std::printf("  --all-members (3) / one member %.2f (target <= 1.50, with reflinks)\n",
              restore_all.seconds / restore_ours.seconds);
  // Without reflinks all three copies must reach the disk: no faster than
  // the disk writes three such files.
  std::filesystem::create_directories(out);
  const uint64_t db_bytes = std::filesystem::file_size(theirs);
  const double one_copy = SecondsToWriteCopies(out, db_bytes, 1);
  const double three_copies = SecondsToWriteCopies(out, db_bytes, 3);
  std::printf("  this disk writes and syncs one db-sized file in %.2f s, three at once in %.2f s: without\n"
              "  reflinks --all-members (3) / one member is at least %.2f\n",
              one_copy, three_copies, std::max(restore_ours.seconds, three_copies) / restore_ours.seconds);
  Sample restore_etcdctl = restore("etcdctl", one_member);
  PrintRow("etcdctl snapshot restore (3.4)", restore_etcdctl);
  std::printf("  wall-time ratio ketcd/etcdctl %.2f\n", restore_ours.seconds / restore_etcdctl.seconds);
  for (const Etcdutl& tool : etcdutls) {
    if (tool.version == "3.5") continue;  // above
    Sample etcdutl = restore(tool.path, one_member);
    PrintRow(("etcdutl snapshot restore (" + tool.version + ")").c_str(), etcdutl);
    std::printf("  wall-time ratio ketcd/etcdutl %s %.2f\n", tool.version.c_str(),
                restore_ours.seconds / etcdutl.seconds);
  }
  return 0;
}
