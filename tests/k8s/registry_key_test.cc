#include "k8s/registry_key.h"

#include <gtest/gtest.h>

namespace ketcd::k8s {
namespace {

void ExpectKey(const char* key, const char* resource, const char* ns, const char* name) {
  RegistryKey parsed = ParseRegistryKey(key, "/registry/");
  EXPECT_EQ(parsed.resource, resource) << key;
  EXPECT_EQ(parsed.namespace_, ns) << key;
  EXPECT_EQ(parsed.name, name) << key;
}

TEST(RegistryKeyTest, SplitsTheApiServersLayouts) {
  ExpectKey("/registry/pods/kube-system/etcd-0", "pods", "kube-system", "etcd-0");
  ExpectKey("/registry/namespaces/default", "namespaces", "", "default");
  ExpectKey("/registry/services/specs/default/kubernetes", "services/specs", "default",
            "kubernetes");
  ExpectKey("/registry/services/endpoints/default/kubernetes", "services/endpoints", "default",
            "kubernetes");
  ExpectKey("/registry/cilium.io/ciliumnodes/node-1", "cilium.io/ciliumnodes", "", "node-1");
  ExpectKey("/registry/example.com/widgets/ns/w", "example.com/widgets", "ns", "w");
  ExpectKey("/registry/ranges/serviceips", "ranges", "", "serviceips");
  ExpectKey("/registry/ipaddresses/fd00::1", "ipaddresses", "", "fd00::1");
}

TEST(RegistryKeyTest, OtherPrefixesAndOddKeys) {
  RegistryKey openshift = ParseRegistryKey("/kubernetes.io/pods/ns/p", "/kubernetes.io/");
  EXPECT_EQ(openshift.resource, "pods");
  EXPECT_EQ(ParseRegistryKey("/registry/lonely", "/registry/").resource, "lonely");
  EXPECT_EQ(ParseRegistryKey("", "/registry/").resource, "");
  ExpectKey("/registry/pods/", "pods", "", "");
  ExpectKey("/registry/services/specs", "services/specs", "", "");
  ExpectKey("/registry/services/other", "services", "", "other");
  ExpectKey("/registry/pods/ns/a/b", "pods", "ns", "a/b");
  ExpectKey("/registry/pods//p", "pods", "", "p");
}

TEST(RegistryKeyTest, ResourcePrefixOfAKey) {
  EXPECT_EQ(ResourcePrefixOf("/registry/pods/ns/p"), "/registry/pods/");
  EXPECT_EQ(ResourcePrefixOf("/registry/namespaces/default"), "/registry/namespaces/");
  EXPECT_EQ(ResourcePrefixOf("/registry/services/specs/default/kubernetes"), "/registry/services/specs/");
  EXPECT_EQ(ResourcePrefixOf("/registry/cilium.io/ciliumnodes/n1"), "/registry/cilium.io/ciliumnodes/");
  EXPECT_EQ(ResourcePrefixOf("/kubernetes.io/pods/ns/p"), "/kubernetes.io/pods/");
  EXPECT_EQ(ResourcePrefixOf("/registry/lonely"), "");
  EXPECT_EQ(ResourcePrefixOf("/registry"), "");
  EXPECT_EQ(ResourcePrefixOf("plain"), "");
  EXPECT_EQ(ResourcePrefixOf(""), "");
}

}  // namespace
}  // namespace ketcd::k8s
