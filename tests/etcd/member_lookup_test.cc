#include "etcd/member_lookup.h"

#include <gtest/gtest.h>

namespace ketcd::etcd {
namespace {

pb::MemberListResponse TwoMembers() {
  pb::MemberListResponse members;
  auto* a = members.add_members();
  a->set_id(0x8e9e05c52164694dULL);
  a->set_name("etcd-a");
  auto* b = members.add_members();
  b->set_id(0xabc);
  b->set_name("abc1");
  return members;
}

TEST(MemberLookupTest, FindsByHexIdOrName) {
  auto members = TwoMembers();
  EXPECT_EQ(*ResolveMemberId(members, "8e9e05c52164694d"), 0x8e9e05c52164694dULL);
  EXPECT_EQ(*ResolveMemberId(members, "etcd-a"), 0x8e9e05c52164694dULL);
  EXPECT_EQ(*ResolveMemberId(members, "abc1"), 0xabcu);  // a name, though valid hex
  EXPECT_EQ(*ResolveMemberId(members, "abc"), 0xabcu);
}

TEST(MemberLookupTest, UnknownMemberListsTheKnownOnes) {
  auto missing = ResolveMemberId(TwoMembers(), "1234");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("etcd-a"), std::string::npos);
  EXPECT_EQ(ResolveMemberId(TwoMembers(), "not-hex").status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace ketcd::etcd
