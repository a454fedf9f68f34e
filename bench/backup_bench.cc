// Benchmark: `ketcd backup run` of a real etcd holding OBJECTS Kubernetes-
// shaped ConfigMaps (default 400000) and SECRETS_MB of Secrets encrypted at
// rest (random bytes, as the API server stores them with an encryption
// provider: default 300) -- a database of about 2 GB -- to a local S3 store
// (s3rver), against the usual hand-made pipeline in the same run:
//   etcdctl snapshot save  +  zstd -3  +  upload with curl (--aws-sigv4)
// ketcd also verifies the snapshot and checksums the object (the pipeline's
// nearest check, etcdctl snapshot status, is timed apart). Peak RSS is
// printed for each step: ketcd streams, so its memory does not follow the
// database size.
//
// Usage: backup_bench [OBJECTS] [RUNS] [SECRETS_MB]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "bench_support.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/object_store.h"

using namespace ketcd;
using namespace ketcd::bench;
using namespace ketcd::testing;

int main(int argc, char** argv) {
  const int objects = argc > 1 ? std::atoi(argv[1]) : 400000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 2;
  const int secrets_mb = argc > 3 ? std::atoi(argv[3]) : 300;
  auto cluster = StartFilledCluster(objects);
  {
    auto client = etcd::EtcdClient::Create(cluster->ClientConfig());
    std::mt19937_64 random(1);
    std::string value(1 << 20, '\0');
    for (int i = 0; client.ok() && i < secrets_mb; ++i) {
      for (char& c : value) c = static_cast<char>(random());
      etcd::pb::PutRequest put;
      put.set_key("/registry/secrets/ns-" + std::to_string(i % 200) + "/encrypted-" + std::to_string(i));
      put.set_value("k8s:enc:aescbc:v1:key1:" + value);
      if (!(*client)->Put(put).ok()) return std::fprintf(stderr, "cannot write secrets\n"), 1;
    }
  }
  const std::string dir = cluster->dir();
  auto store = ObjectStore::Start(StoreKind::kS3, dir + "/s3");
  if (!store.ok()) {
    std::fprintf(stderr, "cannot start s3rver: %s\n", store.status().message().c_str());
    return 1;
  }
  // Parts of 16 MiB (the tests use S3's minimum, 5 MiB, to get many).
  std::string destination = (*store)->DestinationYaml("ketcd");
  destination.replace(destination.find("part_size_mib: 5"), 16, "part_size_mib: 16");
  std::ofstream(dir + "/backup.yaml") << "name: bench\nwork_dir: " << dir << "\ndestinations:\n" << destination
                                      << "retention:\n  keep_last: 1\n";
  const std::vector<std::string> flags = {"--endpoints", cluster->ClientUrl(0), "--command-timeout=600s"};
  const std::string snapshot = dir + "/etcdctl.db";
  const std::string upload_url = (*store)->endpoint() + "/backups/pipeline/etcdctl.db.zst";

  Sample ours{1e9, 0, ""}, save{1e9, 0, ""}, compress{1e9, 0, ""}, upload{1e9, 0, ""}, check{1e9, 0, ""},
      save_alone{1e9, 0, ""}, single_put{1e9, 0, ""};
  double theirs = 1e9;
  for (int run = 0; run < runs; ++run) {
    if (run) std::this_thread::sleep_for(std::chrono::seconds(1));  // backup names have second precision
    Sample b = Measure(Args(Args({KETCD_BINARY}, flags), {"backup", "run", "--config", dir + "/backup.yaml"}));
    if (b.seconds < ours.seconds) ours = b;

    std::filesystem::remove(snapshot);
    std::filesystem::remove(snapshot + ".zst");
    Sample s = Measure(Args({"etcdctl", "snapshot", "save", snapshot}, flags));
    Sample z = Measure({"zstd", "-q", "-3", snapshot, "-o", snapshot + ".zst"});
    Sample u = Measure({"env", "AWS_ACCESS_KEY_ID=S3RVER", "AWS_SECRET_ACCESS_KEY=S3RVER", "AWS_DEFAULT_REGION=us-east-1",
                        "aws", "--endpoint-url", (*store)->endpoint(), "s3", "cp", "--only-show-errors",
                        snapshot + ".zst", "s3://backups/pipeline/etcdctl.db.zst"});
    Sample p = Measure({"curl", "-sSf", "-T", snapshot + ".zst", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user",
                        "S3RVER:S3RVER", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", upload_url});
    if (p.seconds < single_put.seconds) single_put = p;
    if (s.seconds + z.seconds + u.seconds < theirs) {
      theirs = s.seconds + z.seconds + u.seconds;
      save = s, compress = z, upload = u;
    }
    Sample c = Measure({"etcdctl", "snapshot", "status", snapshot});
    if (c.seconds < check.seconds) check = c;
    std::filesystem::remove(dir + "/ketcd.db");
    Sample k = Measure(Args(Args({KETCD_BINARY}, flags), {"snapshot", "save", dir + "/ketcd.db"}));
    if (k.seconds < save_alone.seconds) save_alone = k;
  }
  const double megabytes = std::filesystem::file_size(snapshot) / 1e6;
  std::printf("backup of %d objects: a %.0f MB database, %.0f MB compressed, to s3rver (fastest of %d)\n", objects,
              megabytes, std::filesystem::file_size(snapshot + ".zst") / 1e6, runs);
  PrintRow("ketcd backup run (save+verify+zstd+upload)", ours);
  PrintRow("  of which: ketcd snapshot save alone", save_alone);
  PrintRow("etcdctl snapshot save", save);
  PrintRow("zstd -3", compress);
  PrintRow("aws s3 cp (multipart upload)", upload);
  PrintRow("  or: curl --aws-sigv4 -T (one PUT)", single_put);
  PrintRow("etcdctl snapshot status (integrity check)", check);
  std::printf("  pipeline total %.2f s; speed-up pipeline/ketcd %.2fx\n", theirs, theirs / ours.seconds);
  std::printf("  with the pipeline checking its snapshot too (status) %.2f s: speed-up %.2fx\n", theirs + check.seconds,
              (theirs + check.seconds) / ours.seconds);
  const double best_case = save.seconds + compress.seconds + single_put.seconds;
  std::printf("  pipeline uploading with one PUT %.2f s: speed-up %.2fx\n", best_case, best_case / ours.seconds);
  std::printf("  ketcd peak RSS %.0f MB for a %.0f MB database\n", ours.rss_kb / 1024.0, megabytes);
  return 0;
}
