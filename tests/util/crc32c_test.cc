// CRC-32C against known values (RFC 3720's test vectors) and against the
// portable byte-wise definition for buffers of every length class the fast
// path splits differently (lanes, words, bytes) and any split into updates.
#include "util/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ketcd {
namespace {

uint32_t Crc(std::string_view bytes) {
  Crc32c crc;
  crc.Update(bytes);
  return crc.value();
}

// The definition, bit by bit.
uint32_t Reference(std::string_view bytes) {
  uint32_t crc = ~0u;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
  }
  return ~crc;
}

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc(""), 0u);
  EXPECT_EQ(Crc("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc(std::string(32, '\xff')), 0x62A8AB43u);
}

TEST(Crc32cTest, MatchesTheDefinitionForEveryLengthAndSplit) {
  std::mt19937 random(7);
  std::string data(5000, '\0');
  for (char& c : data) c = static_cast<char>(random());
  for (size_t length : {1, 7, 8, 9, 255, 767, 768, 769, 1536, 2500, 4999, 5000}) {
    std::string_view bytes(data.data(), length);
    EXPECT_EQ(Crc(bytes), Reference(bytes)) << length;
    Crc32c split;
    split.Update(bytes.substr(0, length / 3));
    split.Update(bytes.substr(length / 3));
    EXPECT_EQ(split.value(), Reference(bytes)) << length;
  }
}

TEST(Crc32cTest, SegmentsHashedApartJoinToTheWhole) {
  std::string data(10000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + 7);
  for (size_t cut : {0, 1, 100, 3333, 9999, 10000}) {
    Crc32c head;
    head.Update(std::string_view(data).substr(0, cut));
    Crc32c tail = Crc32c::Segment();
    tail.Update(std::string_view(data).substr(cut));
    head.Append(tail, data.size() - cut);
    EXPECT_EQ(head.value(), Reference(data)) << cut;
  }
}

}  // namespace
}  // namespace ketcd
