// ls and stats count objects per resource and namespace: the same totals
// whatever order the keys come in (offline in key order, any order online
// paging could give), and the largest objects largest first.
#include "k8s/keyspace_totals.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace ketcd::k8s {
namespace {

struct Key {
  std::string key;
  int64_t bytes;
};

const std::vector<Key> kKeys = {
    {"/registry/pods/default/web-1", 100},      {"/registry/pods/default/web-2", 300},
    {"/registry/pods/kube-system/dns", 50},     {"/registry/pods/default2/x", 7},
    {"/registry/namespaces/default", 20},       {"/registry/namespaces/default2", 30},
    {"/registry/apps/deployments/default/web", 900},
    {"/registry/crd.example.com/widgets/default/w", 40},
};

TEST(KeyspaceTotalsTest, CountsPerResourceAndNamespaceInAnyOrder) {
  std::vector<Key> keys = kKeys;
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) { return a.key < b.key; });
  KeyspaceTotals in_order("/registry/", 3);
  for (const Key& k : keys) in_order.Add(k.key, k.bytes);
  EXPECT_EQ(in_order.all().objects, 8);
  EXPECT_EQ(in_order.all().bytes, 1447);
  EXPECT_EQ(in_order.by_resource().at("pods").objects, 4);
  EXPECT_EQ(in_order.by_resource().at("pods").bytes, 457);
  EXPECT_EQ(in_order.by_namespace().at("pods").at("default").objects, 2);
  EXPECT_EQ(in_order.by_namespace().at("pods").at("default2").bytes, 7);
  EXPECT_EQ(in_order.by_namespace().at("namespaces").at("").objects, 2);
  const auto largest = in_order.Largest();
  ASSERT_EQ(largest.size(), 3u);
  EXPECT_EQ(largest[0].key, "/registry/apps/deployments/default/web");
  EXPECT_EQ(largest[1].bytes, 300);
  EXPECT_EQ(largest[2].bytes, 100);
  std::mt19937 random(7);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(keys.begin(), keys.end(), random);
    KeyspaceTotals shuffled("/registry/", 3);
    for (const Key& k : keys) shuffled.Add(k.key, k.bytes);
    ASSERT_EQ(shuffled.by_resource().size(), in_order.by_resource().size());
    for (const auto& [resource, totals] : in_order.by_resource()) {
      EXPECT_EQ(shuffled.by_resource().at(resource).bytes, totals.bytes) << resource;
      for (const auto& [ns, t] : in_order.by_namespace().at(resource)) {
        EXPECT_EQ(shuffled.by_namespace().at(resource).at(ns).objects, t.objects) << resource << " " << ns;
      }
    }
    EXPECT_EQ(shuffled.Largest()[0].key, largest[0].key);
  }
}

TEST(KeyspaceTotalsTest, LargestOfEqualSizesAreTheFirstInKeyOrderWhateverTheOrderAdded) {
  std::vector<Key> keys;
  for (int i = 0; i < 40; ++i) keys.push_back({"/registry/pods/ns/p-" + std::to_string(100 + i), i % 3 == 0 ? 500 : 10});
  std::mt19937 random(11);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(keys.begin(), keys.end(), random);
    KeyspaceTotals totals("/registry/", 4);
    for (const Key& k : keys) totals.Add(k.key, k.bytes);
    const auto largest = totals.Largest();
    ASSERT_EQ(largest.size(), 4u);
    EXPECT_EQ(largest[0].key, "/registry/pods/ns/p-100");
    EXPECT_EQ(largest[1].key, "/registry/pods/ns/p-103");
    EXPECT_EQ(largest[2].key, "/registry/pods/ns/p-106");
    EXPECT_EQ(largest[3].key, "/registry/pods/ns/p-109");
    EXPECT_EQ(largest[3].bytes, 500);
  }
}

// Old revisions are counted per resource apart from the objects: a
// resource whose objects are all deleted holds history but no objects.
TEST(KeyspaceTotalsTest, OldRevisionsAreCountedApartFromObjects) {
  KeyspaceTotals totals("/registry/", 2);
  totals.Add("/registry/pods/ns/p", 100);
  totals.AddOldRevision("/registry/pods/ns/p", 90);
  totals.AddOldRevision("/registry/pods/ns/p", 80);
  totals.AddOldRevision("/registry/events/ns/e", 50);
  totals.AddOldRevision("/registry/events/ns/e", 30);  // its deletion
  EXPECT_EQ(totals.all().objects, 1);
  EXPECT_EQ(totals.all().bytes, 100);
  EXPECT_FALSE(totals.by_resource().contains("events"));
  EXPECT_EQ(totals.old_revisions_by_resource().at("pods").objects, 2);
  EXPECT_EQ(totals.old_revisions_by_resource().at("pods").bytes, 170);
  EXPECT_EQ(totals.old_revisions_by_resource().at("events").bytes, 80);
  EXPECT_EQ(totals.old_revisions().objects, 4);
  EXPECT_EQ(totals.old_revisions().bytes, 250);
  ASSERT_EQ(totals.Largest().size(), 1u);  // old revisions are not objects
}

// A key's directory decides its resource and namespace only when the key
// has three parts or more: the last part of a two-part key can belong to
// the resource, whatever order keys come in.
TEST(KeyspaceTotalsTest, TwoPartKeysWhoseLastPartIsTheResourceAreNotTakenForNames) {
  const std::vector<std::string> keys = {"/registry/services/specs/default/web", "/registry/services/specs",
                                         "/registry/services/web", "/registry/x.io/things",
                                         "/registry/x.io/others", "/registry/x.io/things/ns/a"};
  for (int reversed = 0; reversed < 2; ++reversed) {
    KeyspaceTotals totals("/registry/", 0);
    for (size_t i = 0; i < keys.size(); ++i) totals.Add(keys[reversed ? keys.size() - 1 - i : i], 10);
    EXPECT_EQ(totals.by_resource().at("services/specs").objects, 2);
    EXPECT_EQ(totals.by_resource().at("services").objects, 1);
    EXPECT_EQ(totals.by_resource().at("x.io/things").objects, 2);
    EXPECT_EQ(totals.by_resource().at("x.io/others").objects, 1);
    EXPECT_EQ(totals.by_namespace().at("x.io/things").at("ns").objects, 1);
    EXPECT_EQ(totals.by_namespace().at("services/specs").at("default").objects, 1);
  }
}

}  // namespace
}  // namespace ketcd::k8s
