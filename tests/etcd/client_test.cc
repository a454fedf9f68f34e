// EtcdClient against a real single-member etcd.
#include "etcd/client.h"

#include <gtest/gtest.h>

#include <thread>

#include "etcd/range_pager.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::etcd {
namespace {

using testing::EtcdCluster;

class ClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto cluster = EtcdCluster::Start({.members = 1});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster).release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    auto client = EtcdClient::Create(cluster_->ClientConfig());
    ASSERT_TRUE(client.ok()) << client.status().message();
    client_ = std::move(*client);
    ASSERT_TRUE(client_->Connect().ok());
    prefix_ =
        std::string("/") + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/";
  }

  int64_t PutKey(const std::string& key, const std::string& value) {
    pb::PutRequest put;
    put.set_key(key);
    put.set_value(value);
    auto response = client_->Put(put);
    EXPECT_TRUE(response.ok()) << response.status().message();
    return response.ok() ? response->header().revision() : 0;
  }

  static inline EtcdCluster* cluster_ = nullptr;
  std::unique_ptr<EtcdClient> client_;
  std::string prefix_;
};

TEST_F(ClientTest, PutThenRangeReturnsValueAndRevisions) {
  int64_t revision = PutKey(prefix_ + "a", "1");
  pb::RangeRequest get;
  get.set_key(prefix_ + "a");
  auto response = client_->Range(get);
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->kvs_size(), 1);
  EXPECT_EQ(response->kvs(0).value(), "1");
  EXPECT_EQ(response->kvs(0).mod_revision(), revision);
}

TEST_F(ClientTest, TxnCompareOnModRevisionGuardsWrites) {
  int64_t revision = PutKey(prefix_ + "k", "v1");
  auto guarded_put = [&](int64_t expected, const std::string& value) {
    pb::TxnRequest txn;
    auto* compare = txn.add_compare();
    compare->set_key(prefix_ + "k");
    compare->set_target(pb::Compare::MOD);
    compare->set_result(pb::Compare::EQUAL);
    compare->set_mod_revision(expected);
    auto* put = txn.add_success()->mutable_request_put();
    put->set_key(prefix_ + "k");
    put->set_value(value);
    return client_->Txn(txn);
  };
  auto first = guarded_put(revision, "v2");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->succeeded());
  auto stale = guarded_put(revision, "v3");  // the key moved on: must not write
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->succeeded());
  pb::RangeRequest get;
  get.set_key(prefix_ + "k");
  EXPECT_EQ(client_->Range(get)->kvs(0).value(), "v2");
}

TEST_F(ClientTest, DeleteRangeByPrefix) {
  for (int i = 0; i < 5; ++i) PutKey(prefix_ + std::to_string(i), "x");
  pb::DeleteRangeRequest del;
  del.set_key(prefix_);
  del.set_range_end(PrefixRangeEnd(prefix_));
  auto deleted = client_->DeleteRange(del);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->deleted(), 5);
}

TEST_F(ClientTest, PagedRangeSeesOneRevisionAcrossPages) {
  const int kKeys = 250;
  for (int i = 0; i < kKeys; ++i) {
    char key[16];
    snprintf(key, sizeof key, "%04d", i);
    PutKey(prefix_ + key, std::to_string(i));
  }
  pb::RangeRequest request;
  request.set_key(prefix_);
  request.set_range_end(PrefixRangeEnd(prefix_));
  int pages = 0, seen = 0;
  std::string last_key;
  // The pager fetches ahead with client_; the late write needs its own.
  auto writer = EtcdClient::Create(cluster_->ClientConfig());
  ASSERT_TRUE(writer.ok());
  Status status =
      ReadRangeInPages(*client_, request, PageSizing::Fixed(40), [&](const RangePage& page) {
        ++pages;
        if (page.first) {
          EXPECT_EQ(page.response.count(), kKeys);
          // Written after the first page: a consistent read must not see it.
          PutKey(prefix_ + "9999-late", "late");
        }
        for (const auto& kv : page.response.kvs()) {
          EXPECT_GT(kv.key(), last_key);
          last_key = kv.key();
          ++seen;
        }
        return Status::Ok();
      });
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(seen, kKeys);
  EXPECT_EQ(pages, 7);  // 6 full pages of 40 and one of 10
}

TEST_F(ClientTest, PagedRangeHonoursOverallLimit) {
  for (int i = 0; i < 30; ++i) PutKey(prefix_ + std::to_string(100 + i), "x");
  pb::RangeRequest request;
  request.set_key(prefix_);
  request.set_range_end(PrefixRangeEnd(prefix_));
  request.set_limit(25);
  int seen = 0;
  ASSERT_TRUE(
      ReadRangeInPages(*client_, request, PageSizing::Fixed(10), [&](const RangePage& page) {
        seen += page.response.kvs_size();
        return Status::Ok();
      }).ok());
  EXPECT_EQ(seen, 25);
}

TEST_F(ClientTest, AdaptivePagesGrowForSmallValues) {
  for (int i = 0; i < 600; ++i) PutKey(prefix_ + std::to_string(1000 + i), "x");
  pb::RangeRequest request;
  request.set_key(prefix_);
  request.set_range_end(PrefixRangeEnd(prefix_));
  PageSizing sizing;
  sizing.first_page_keys = 50;
  sizing.target_bytes = 64 * 1024;  // ~1000 small entries per page
  std::vector<int> page_sizes;
  ASSERT_TRUE(ReadRangeInPages(*client_, request, sizing, [&](const RangePage& page) {
                page_sizes.push_back(page.response.kvs_size());
                return Status::Ok();
              }).ok());
  EXPECT_EQ(page_sizes, (std::vector<int>{50, 550}));
}

TEST_F(ClientTest, AdaptivePagesStopWhereAGroupOfLargeValuesBegins) {
  // Small values, then large ones, then small ones again: a page sized for
  // the small ones must not run on into the large ones.
  for (int i = 0; i < 300; ++i) PutKey(prefix_ + "a-small/" + std::to_string(1000 + i), "x");
  for (int i = 0; i < 200; ++i) PutKey(prefix_ + "b-large/" + std::to_string(1000 + i), std::string(16 << 10, 'v'));
  for (int i = 0; i < 300; ++i) PutKey(prefix_ + "c-small/" + std::to_string(1000 + i), "x");
  pb::RangeRequest request;
  request.set_key(prefix_);
  request.set_range_end(PrefixRangeEnd(prefix_));
  PageSizing sizing;
  sizing.first_page_keys = 50;
  sizing.min_keys = 2;
  sizing.target_bytes = 64 << 10;  // ~800 small entries, 4 large ones
  const std::string prefix = prefix_;
  sizing.group_of = [prefix](std::string_view key) {
    return std::string(key.substr(0, key.find('/', prefix.size()) + 1));
  };
  std::string last_key;
  int seen = 0;
  size_t largest_page = 0;
  ASSERT_TRUE(ReadRangeInPages(*client_, request, sizing, [&](const RangePage& page) {
                size_t bytes = 0;
                for (const auto& kv : page.response.kvs()) {
                  EXPECT_GT(kv.key(), last_key);
                  last_key = kv.key();
                  bytes += kv.value().size();
                  ++seen;
                }
                largest_page = std::max(largest_page, bytes);
                return Status::Ok();
              }).ok());
  EXPECT_EQ(seen, 800);
  // At most the first page into the large values (first_page_keys of them,
  // sized before any was seen); without groups a page would hold all 200.
  EXPECT_LE(largest_page, size_t{50} * (16 << 10));
}

TEST_F(ClientTest, LeaseGrantKeepAliveTimeToLiveRevoke) {
  auto lease = client_->LeaseGrant(60);
  ASSERT_TRUE(lease.ok()) << lease.status().message();
  pb::PutRequest put;
  put.set_key(prefix_ + "leased");
  put.set_lease(lease->id());
  ASSERT_TRUE(client_->Put(put).ok());
  auto renewed = client_->LeaseKeepAliveOnce(lease->id());
  ASSERT_TRUE(renewed.ok()) << renewed.status().message();
  EXPECT_EQ(renewed->ttl(), 60);
  auto ttl = client_->LeaseTimeToLive(lease->id(), true);
  ASSERT_TRUE(ttl.ok());
  ASSERT_EQ(ttl->keys_size(), 1);
  EXPECT_EQ(ttl->keys(0), prefix_ + "leased");
  auto leases = client_->LeaseLeases();
  ASSERT_TRUE(leases.ok());
  EXPECT_GE(leases->leases_size(), 1);
  ASSERT_TRUE(client_->LeaseRevoke(lease->id()).ok());
  pb::RangeRequest get;
  get.set_key(prefix_ + "leased");
  EXPECT_EQ(client_->Range(get)->kvs_size(), 0);  // revoking deletes attached keys
}

TEST_F(ClientTest, WatchDeliversEventsFromStartRevision) {
  int64_t first = PutKey(prefix_ + "w", "1");
  PutKey(prefix_ + "w", "2");
  pb::WatchCreateRequest create;
  create.set_key(prefix_ + "w");
  create.set_start_revision(first);
  std::vector<std::string> values;
  Status status = client_->Watch(
      create,
      [&](const pb::WatchResponse& response) {
        for (const auto& event : response.events()) values.push_back(event.kv().value());
        return values.size() < 2;
      },
      std::chrono::seconds(10));
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(values, (std::vector<std::string>{"1", "2"}));
}

TEST_F(ClientTest, ServesTheEtcdVersionUnderTest) {
  // The harness runs $KETCD_TEST_ETCD: the member must report that version.
  auto version = testing::RunCommand({testing::EtcdBinary(), "--version"});
  const std::string marker = "etcd Version: ";
  auto at = version.out.find(marker);
  ASSERT_NE(at, std::string::npos) << version.out;
  std::string expected = version.out.substr(at + marker.size());
  expected = expected.substr(0, expected.find('\n'));
  auto status = client_->EndpointStatus(0);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->version(), expected);
}

TEST_F(ClientTest, MaintenanceStatusHashDefragAlarms) {
  auto status = client_->EndpointStatus(0);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->leader(), status->header().member_id());
  EXPECT_GT(status->dbsize(), 0);
  auto hash = client_->HashKV(0, 0);
  ASSERT_TRUE(hash.ok());
  EXPECT_NE(hash->hash(), 0u);
  EXPECT_TRUE(client_->Defragment(0).ok());
  pb::AlarmRequest alarms;
  alarms.set_action(pb::AlarmRequest::GET);
  auto listed = client_->Alarm(alarms);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->alarms_size(), 0);
  auto members = client_->MemberList();
  ASSERT_TRUE(members.ok());
  EXPECT_EQ(members->members_size(), 1);
}

TEST_F(ClientTest, SnapshotStreamsTheWholeBackend) {
  auto status = client_->EndpointStatus(0);
  ASSERT_TRUE(status.ok());
  uint64_t received = 0, chunks = 0, last_remaining = 1;
  Status streamed = client_->Snapshot(0, [&](const std::string& chunk, uint64_t remaining) {
    received += chunk.size();
    ++chunks;
    last_remaining = remaining;
    return Status::Ok();
  });
  ASSERT_TRUE(streamed.ok()) << streamed.message();
  EXPECT_EQ(last_remaining, 0u);
  // The backend plus etcd's 32-byte sha256 trailer.
  EXPECT_GE(received, 32u + 4096u);
  EXPECT_GE(chunks, 1u);
}

TEST_F(ClientTest, SnapshotSinkErrorAbortsTheStream) {
  Status aborted =
      client_->Snapshot(0, [](const std::string&, uint64_t) { return IoError("disk full"); });
  EXPECT_EQ(aborted.code(), ErrorCode::kIo);
}

}  // namespace
}  // namespace ketcd::etcd
