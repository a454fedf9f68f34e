// Paged reads keep ketcd's memory bounded: reading 100k keys must not need
// more memory than reading 10k.
#include <gtest/gtest.h>

#include <cstdio>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

// Writes `count` keys <prefix>000000.. with 1 KB values, 128 per txn
// (etcd's default --max-txn-ops).
void Fill(etcd::EtcdClient& client, const std::string& prefix, int count) {
  const std::string value(1024, 'v');
  for (int start = 0; start < count; start += 128) {
    etcd::pb::TxnRequest txn;
    for (int i = start; i < std::min(count, start + 128); ++i) {
      char key[32];
      snprintf(key, sizeof key, "%06d", i);
      auto* put = txn.add_success()->mutable_request_put();
      put->set_key(prefix + key);
      put->set_value(value);
    }
    auto response = client.Txn(txn);
    ASSERT_TRUE(response.ok()) << response.status().message();
  }
}

TEST(RangeMemoryTest, PeakRssDoesNotGrowWithKeyCount) {
  const std::string binary = KETCD_BINARY;
  auto cluster =
      EtcdCluster::Start({.members = 1, .extra_args = {"--quota-backend-bytes=4294967296"}});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  auto client = etcd::EtcdClient::Create((*cluster)->ClientConfig());
  ASSERT_TRUE(client.ok());
  // Both sets are larger than one ~8 MB page, so any difference comes from
  // the key count alone.
  Fill(**client, "/small/", 20000);
  Fill(**client, "/large/", 100000);

  CommandOptions options;
  options.discard_stdout = true;
  options.measure_rss = true;
  options.timeout = std::chrono::minutes(5);
  auto read = [&](const std::string& prefix, const char* format,
                  const std::string& page_size = "1000") {
    auto result = RunCommand(
        Args({binary, "get", prefix, "--prefix", "-w", format, "--page-size", page_size},
             (*cluster)->ConnectionFlags()),
        options);
    EXPECT_EQ(result.exit_code, 0) << Describe(result);
    return result.max_rss_kb;
  };
  for (const char* format : {"simple", "json"}) {
    long small = read("/small/", format);
    long large = read("/large/", format);
    std::printf("%s: peak RSS %ld KB for 20k keys, %ld KB for 100k keys\n", format, small, large);
    // 80k more keys of 1 KB would add ~80 MB if held; allow noise.
    EXPECT_LT(large - small, 8 * 1024)
        << format << ": " << small << " KB for 20k keys, " << large << " KB for 100k keys";
  }
  // The measurement can see the difference: one page holding everything
  // costs tens of megabytes more.
  long unpaged = read("/large/", "simple", "1000000");
  long paged = read("/large/", "simple");
  std::printf("100k keys: peak RSS %ld KB paged, %ld KB in one page\n", paged, unpaged);
  EXPECT_GT(unpaged - paged, 50 * 1024) << "paged " << paged << " KB, unpaged " << unpaged << " KB";
}

}  // namespace
}  // namespace ketcd::testing
