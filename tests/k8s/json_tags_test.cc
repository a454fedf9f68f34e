#include "k8s/json_tags.h"

#include <gtest/gtest.h>

namespace ketcd::k8s {
namespace {

TEST(JsonTagsTest, ReadsTheTableGoJsonTagsWritesAndSkipsBadLines) {
  const JsonTags tags = JsonTags::Parse(
      "k8s.io.api.core.v1.Pod 1 metadata op\n"
      "k8s.io.api.core.v1.Pod 2 spec o\n"
      "k8s.io.api.core.v1.Pod x status o\n"           // not a number
      "k8s.io.api.core.v1.Pod 4 only-three\n"          // too few words
      "\n"
      "k8s.io.api.core.v1.PodSpec\t7  containers   l\r\n"
      "k8s.io.api.core.v1.Pod 3 status oz\n"           // the message again, later
      "k8s.io.api.meta.v1.List 9 - i");                // no final line break
  ASSERT_EQ(tags.size(), 3u);
  const auto* pod = tags.Find("k8s.io.api.core.v1.Pod");
  ASSERT_NE(pod, nullptr);
  ASSERT_EQ(pod->size(), 3u);
  EXPECT_EQ((*pod)[0].number, 1);
  EXPECT_EQ((*pod)[0].json_name, "metadata");
  EXPECT_TRUE((*pod)[0].omitempty);
  EXPECT_TRUE((*pod)[0].pointer);
  EXPECT_FALSE((*pod)[1].pointer);
  EXPECT_EQ((*pod)[2].json_name, "status");
  EXPECT_TRUE((*pod)[2].omitzero);
  const auto* spec = tags.Find("k8s.io.api.core.v1.PodSpec");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ((*spec)[0].number, 7);
  EXPECT_EQ((*spec)[0].json_name, "containers");
  EXPECT_TRUE((*spec)[0].list_or_map);
  const auto* list = tags.Find("k8s.io.api.meta.v1.List");
  ASSERT_NE(list, nullptr);
  EXPECT_EQ((*list)[0].json_name, "");
  EXPECT_TRUE((*list)[0].inline_struct);
  EXPECT_EQ(tags.Find("k8s.io.api.core.v1.Missing"), nullptr);
}

}  // namespace
}  // namespace ketcd::k8s
