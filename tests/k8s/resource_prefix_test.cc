#include "k8s/resource_prefix.h"

#include <gtest/gtest.h>

#include <algorithm>

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

TEST(ResourcePrefixTest, StoragePrefixesAreNamedAsGetAcceptsThem) {
  EXPECT_EQ(KubectlResourceName("minions"), "nodes");
  EXPECT_EQ(KubectlResourceName("services/specs"), "services");
  EXPECT_EQ(KubectlResourceName("services/endpoints"), "endpoints");
  EXPECT_EQ(KubectlResourceName("controllers"), "replicationcontrollers");
  EXPECT_EQ(KubectlResourceName("ingress"), "ingresses");
  EXPECT_EQ(KubectlResourceName("apiextensions.k8s.io/customresourcedefinitions"), "customresourcedefinitions");
  EXPECT_EQ(KubectlResourceName("crd.projectcalico.org/ippools"), "ippools.crd.projectcalico.org");
  EXPECT_EQ(KubectlResourceName("pods"), "pods");
  EXPECT_EQ(KubectlResourceName("ranges"), "ranges");
  // What ls names, get finds where ls found it.
  for (const char* prefix : {"minions", "services/specs", "services/endpoints", "controllers", "ingress", "pods",
                             "apiextensions.k8s.io/customresourcedefinitions", "apiregistration.k8s.io/apiservices",
                             "crd.projectcalico.org/ippools", "deployments", "ranges"}) {
    const ResourcePrefixes found = ResourcePrefixesFor(KubectlResourceName(prefix));
    const bool listed = found.built_in == prefix ||
                        std::find(found.candidates.begin(), found.candidates.end(), prefix) != found.candidates.end();
    EXPECT_TRUE(listed) << prefix;
  }
}

}  // namespace
}  // namespace ketcd::k8s
