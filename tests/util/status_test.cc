#include "util/status.h"

#include <gtest/gtest.h>

namespace ketcd {
namespace {

Status FailsWith(ErrorCode code) { return Status(code, "inner"); }

Status Propagates() {
  KETCD_RETURN_IF_ERROR(FailsWith(ErrorCode::kDataLoss));
  return Status::Ok();
}

TEST(StatusTest, ContextPrefixesMessageAndKeepsCode) {
  Status status = FailsWith(ErrorCode::kUnavailable).WithContext("snapshot.db");
  EXPECT_EQ(status.message(), "snapshot.db: inner");
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(StatusTest, ReturnIfErrorPropagates) { EXPECT_EQ(Propagates().code(), ErrorCode::kDataLoss); }

TEST(ResultTest, HoldsValueOrError) {
  Result<int> value = 7;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  Result<int> error = NotFound("no such key");
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace ketcd
