#include <gtest/gtest.h>

#include "etcd/range_pager.h"

namespace ketcd::etcd {
namespace {

TEST(PrefixRangeEndTest, IncrementsLastByteAsClientV3Does) {
  EXPECT_EQ(PrefixRangeEnd("/registry/pods/"), "/registry/pods0");
  EXPECT_EQ(PrefixRangeEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixRangeEnd(std::string("\xff\xff", 2)), std::string(1, '\0'));
}

}  // namespace
}  // namespace ketcd::etcd
