// Reading a file offline without reading all of it into an index: ls and
// stats' walk (live_keys.h) against a model of the MVCC history, and a
// keyspace opened for one prefix against one opened for every key.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bolt/writer.h"
#include "etcd/mvcc/mvccpb/kv.pb.h"
#include "snapshot/backend_layout.h"
#include "snapshot/live_keys.h"
#include "snapshot/offline_keyspace.h"
#include "util/private_dir.h"

namespace ketcd::snapshot {
namespace {

using Counted = std::vector<std::pair<std::string, int64_t>>;  // (key, value bytes), sorted

// A history of puts and deletes over a few hundred keys of two prefixes,
// long enough that the "key" bucket spans many pages (so the walk splits
// it in two stretches), and what it leaves: each live key with its value's
// size, and every other revision (older ones; deletions with 0 bytes).
class OfflineReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = scratch_.path() + "/history.db";
    auto writer = bolt::Writer::Create(path_);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->BeginBucket("key").ok());
    std::mt19937 random(7);
    std::map<std::string, std::pair<int64_t, bool>> newest;  // key -> (value bytes, deleted)
    for (int64_t revision = 2; revision < 4000; ++revision) {
      const int n = static_cast<int>(random() % 300);
      const std::string key = std::string(n % 2 ? "/registry/pods/" : "/registry/secrets/") + "ns/o" +
                              std::to_string(n);
      auto found = newest.find(key);
      const bool remove = found != newest.end() && !found->second.second && random() % 5 == 0;
      mvccpb::KeyValue kv;
      kv.set_key(key);
      if (!remove) {
        kv.set_mod_revision(revision);
        kv.set_create_revision(revision);
        kv.set_version(1);
        kv.set_value(std::string(100 + random() % 400, 'v'));
      }
      ASSERT_TRUE((*writer)->Put(RevisionKeyBytes({revision, 0}, remove), kv.SerializeAsString()).ok());
      if (found != newest.end()) old_.push_back({key, found->second.second ? 0 : found->second.first});
      newest[key] = {remove ? 0 : static_cast<int64_t>(kv.value().size()), remove};
    }
    ASSERT_TRUE((*writer)->Finish().ok());
    for (const auto& [key, state] : newest) {
      if (state.second) {
        old_.push_back({key, 0});
      } else {
        live_.push_back({key, state.first});
      }
    }
    std::sort(old_.begin(), old_.end());
  }

  static Counted Under(const Counted& all, const std::string& prefix) {
    Counted under;
    for (const auto& entry : all) {
      if (entry.first.starts_with(prefix)) under.push_back(entry);
    }
    return under;
  }

  PrivateDir scratch_;
  std::string path_;
  Counted live_, old_;
};

TEST_F(OfflineReadsTest, TheWalkFindsEachLiveKeyAndEveryRevisionACompactionWouldFree) {
  auto keyspace = OfflineKeyspace::Open(path_);
  ASSERT_TRUE(keyspace.ok()) << keyspace.status().message();
  EXPECT_EQ((*keyspace)->current_revision(), 3999);
  for (const std::string prefix : {"", "/registry/pods/"}) {
    Counted live, old;
    const Status walked = ForEachLiveKey(
        (*keyspace)->file().db, KeyScope::Prefix(prefix),
        [&](const LiveKey& key) { live.push_back({std::string(key.key), key.value_bytes}); },
        [&](const LiveKey& key) { old.push_back({std::string(key.key), key.value_bytes}); });
    ASSERT_TRUE(walked.ok()) << walked.message();
    std::sort(live.begin(), live.end());
    std::sort(old.begin(), old.end());
    EXPECT_EQ(live, Under(live_, prefix)) << prefix;
    EXPECT_EQ(old, Under(old_, prefix)) << prefix;
  }
}

TEST_F(OfflineReadsTest, AKeyspaceOpenedForAPrefixReadsItAsTheWholeFileDoes) {
  auto whole = OfflineKeyspace::Open(path_);
  auto pods = OfflineKeyspace::Open(path_, KeyScope::Prefix("/registry/pods/"));
  ASSERT_TRUE(whole.ok() && pods.ok());
  etcd::pb::RangeRequest request;
  request.set_key("/registry/pods/");
  request.set_range_end("/registry/pods0");
  for (int64_t revision : {0, 1500, 3000}) {
    request.set_revision(revision);
    auto expected = (*whole)->Range(request);
    auto read = (*pods)->Range(request);
    ASSERT_TRUE(expected.ok() && read.ok()) << read.status().message();
    EXPECT_GT(expected->kvs_size(), 0);
    EXPECT_EQ(read->SerializeAsString(), expected->SerializeAsString()) << "at revision " << revision;
  }
  request.set_key("/registry/pods/ns/o1");
  request.set_range_end("");
  request.set_revision(0);
  auto one = (*pods)->Range(request);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->SerializeAsString(), (*whole)->Range(request)->SerializeAsString());
  // Outside the prefix the index knows nothing: refused, not empty.
  request.set_key("/registry/secrets/ns/o0");
  EXPECT_FALSE((*pods)->Range(request).ok());
  request.set_key("/registry/");
  request.set_range_end("/registry0");
  EXPECT_FALSE((*pods)->Range(request).ok());
  EXPECT_FALSE((*pods)->HashKv().ok());
  EXPECT_TRUE((*whole)->HashKv().ok());
}

TEST(KeyScopeTest, CoversWhatLiesWithinAndNothingElse) {
  const KeyScope pods = KeyScope::Prefix("/registry/pods/");
  EXPECT_TRUE(pods.Contains("/registry/pods/a/b"));
  EXPECT_FALSE(pods.Contains("/registry/pods0"));
  EXPECT_FALSE(pods.Contains("/registry/pod"));
  EXPECT_TRUE(pods.Covers("/registry/pods/a/", "/registry/pods/a0"));
  EXPECT_TRUE(pods.Covers("/registry/pods/a/b", ""));
  EXPECT_TRUE(pods.Covers("/registry/pods/", "/registry/pods0"));
  EXPECT_FALSE(pods.Covers("/registry/", "/registry0"));
  EXPECT_FALSE(pods.Covers("/registry/pods/", std::string(1, '\0')));
  EXPECT_FALSE(pods.Covers("/registry/pods/a", "/registry/q"));
  const KeyScope everything;
  EXPECT_TRUE(everything.Contains("x"));
  EXPECT_TRUE(everything.Covers(std::string(1, '\0'), std::string(1, '\0')));
  EXPECT_TRUE(everything.Covers("a", "b"));
  const KeyScope one{"k", ""};
  EXPECT_TRUE(one.Covers("k", ""));
  EXPECT_FALSE(one.Covers("k", "k0"));
  EXPECT_FALSE(one.Contains("k2"));
}

}  // namespace
}  // namespace ketcd::snapshot
