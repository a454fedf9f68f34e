#include "k8s/resource_prefix.h"

#include <gtest/gtest.h>

namespace ketcd::k8s {
namespace {

TEST(ResourcePrefixTest, BuiltInResourcesNeedNoLookUp) {
  EXPECT_EQ(ResourcePrefixesFor("pods").built_in, "pods");
  EXPECT_EQ(ResourcePrefixesFor("pod").built_in, "pods");
  EXPECT_EQ(ResourcePrefixesFor("po").built_in, "pods");
  EXPECT_EQ(ResourcePrefixesFor("services").built_in, "services/specs");
  EXPECT_EQ(ResourcePrefixesFor("nodes").built_in, "minions");
  EXPECT_EQ(ResourcePrefixesFor("ingress").built_in, "ingress");
  EXPECT_TRUE(ResourcePrefixesFor("pods").known);
}

TEST(ResourcePrefixTest, GroupsAndUnknownNamesAreLookedUp) {
  // With a group a custom resource may share a built-in plural: etcd decides.
  const ResourcePrefixes deployments = ResourcePrefixesFor("deployments.example.com");
  EXPECT_EQ(deployments.built_in, "");
  ASSERT_FALSE(deployments.candidates.empty());
  EXPECT_EQ(deployments.candidates.front(), "example.com/deployments");
  const ResourcePrefixes widgets = ResourcePrefixesFor("widgets");
  EXPECT_FALSE(widgets.known);
  EXPECT_EQ(widgets.built_in, "");
}

}  // namespace
}  // namespace ketcd::k8s
