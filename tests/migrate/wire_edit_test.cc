// Surgical protobuf edits: only the edited field's bytes and its enclosing
// lengths change; everything else, unknown fields included, stays.
#include "migrate/wire_edit.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace ketcd::migrate {
namespace {

std::string Tag(int number, int wire_type) {
  std::string out;
  for (unsigned value = number << 3 | wire_type;; value >>= 7) {
    if (value < 0x80) return out + static_cast<char>(value);
    out += static_cast<char>(value & 0x7f | 0x80);
  }
}
std::string Bytes(int number, const std::string& contents) {
  return Tag(number, 2) + std::string(1, static_cast<char>(contents.size())) + contents;
}

FieldEditor Replace(std::string from, std::string to) {
  return [from, to](std::string_view contents, int) -> Result<std::optional<std::string>> {
    if (contents != from) return std::optional<std::string>();
    return std::optional<std::string>(to);
  };
}

TEST(WireEditTest, ChangesOnlyTheFieldAndTheEnclosingLengths) {
  // {1: "meta", 2: {3: "10.96.0.1", 99: varint 7, 18: "10.96.0.1"}, 5: fixed32}
  const std::string spec = Bytes(3, "10.96.0.1") + "\x98\x06\x07" + Bytes(18, "10.96.0.1");
  const std::string message = Bytes(1, "meta") + Bytes(2, spec) + Tag(5, 5) + std::string("\x01\x02\x03\x04", 4);
  const int path[] = {2, 3};
  auto edited = EditFields(message, path, Replace("10.96.0.1", "172.24.0.1"));
  ASSERT_TRUE(edited.ok()) << edited.status().message();
  const std::string new_spec = Bytes(3, "172.24.0.1") + "\x98\x06\x07" + Bytes(18, "10.96.0.1");
  EXPECT_EQ(*edited, Bytes(1, "meta") + Bytes(2, new_spec) + Tag(5, 5) + std::string("\x01\x02\x03\x04", 4));
  auto back = EditFields(*edited, path, Replace("172.24.0.1", "10.96.0.1"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, message);
}

TEST(WireEditTest, NumbersRepeatedFieldsAndReadsThem) {
  const std::string message = Bytes(18, "a") + Bytes(4, "x") + Bytes(18, "b");
  const int path[] = {18};
  std::vector<int> indexes;
  auto edited = EditFields(message, path, [&](std::string_view, int index) -> Result<std::optional<std::string>> {
    indexes.push_back(index);
    return std::optional<std::string>();
  });
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(*edited, message);
  EXPECT_EQ(indexes, (std::vector<int>{0, 1}));
  auto read = ReadFields(message, path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, (std::vector<std::string_view>{"a", "b"}));
  auto varint = ReadVarintField(Tag(1, 0) + "\x96\x01", 1);
  ASSERT_TRUE(varint.ok());
  EXPECT_EQ(**varint, 150u);
}

TEST(WireEditTest, RefusesMalformedInput) {
  const int path[] = {2, 3};
  for (const std::string& bad : {std::string("\x12\x05\x1a", 3), std::string("\x13"), std::string("\x12\x80")}) {
    auto edited = EditFields(bad, path, Replace("", ""));
    EXPECT_FALSE(edited.ok());
    EXPECT_EQ(edited.status().code(), ErrorCode::kDataLoss);
  }
  EXPECT_FALSE(EditStoredObject("{\"kind\":\"Service\"}", path, Replace("", "")).ok());
}

// On the API's own bytes: the Service fixture's spec.clusterIP becomes an
// address and back; the object round-trips byte for byte.
TEST(WireEditTest, RoundTripsTheKubernetesServiceFixture) {
  std::ifstream file(KETCD_SHARED_DIR "/fixtures/k8s-api-v1.36/core.v1.Service.pb", std::ios::binary);
  if (!file) GTEST_SKIP() << "../shared fixtures absent";
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string original = buffer.str();
  const int path[] = {2, 3};
  auto edited = EditStoredObject(original, path, Replace("clusterIPValue", "10.96.0.1"));
  ASSERT_TRUE(edited.ok()) << edited.status().message();
  EXPECT_EQ(edited->size(), original.size() - 5);
  auto read = ReadStoredObject(*edited, path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, (std::vector<std::string_view>{"10.96.0.1"}));
  auto back = EditStoredObject(*edited, path, Replace("10.96.0.1", "clusterIPValue"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, original);
}

}  // namespace
}  // namespace ketcd::migrate
