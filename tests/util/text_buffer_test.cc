#include "util/text_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace ketcd {
namespace {

TEST(TextBufferTest, KeepsEveryByteAcrossGrowthAndTruncation) {
  TextBuffer buffer;
  std::string expected;
  for (int i = 0; i < 50000; ++i) {
    const std::string piece = std::to_string(i) + (i % 7 == 0 ? std::string(5000, 'x') : ",");
    buffer.Append(piece);
    buffer.Append('|');
    expected += piece + "|";
  }
  ASSERT_EQ(buffer.view(), expected);
  const size_t mark = buffer.size();
  char* cursor = buffer.Cursor(4);
  std::memcpy(cursor, "tail", 4);
  buffer.Advance(4);
  EXPECT_EQ(buffer.view(mark), "tail");
  buffer.Truncate(mark);
  EXPECT_EQ(buffer.view(), expected);
  buffer.Clear();
  EXPECT_EQ(buffer.size(), 0u);
  buffer.Append("again");
  EXPECT_EQ(buffer.view(), "again");
}

}  // namespace
}  // namespace ketcd
