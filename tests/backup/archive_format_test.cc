// The backup object format: round trips at chunk boundaries, and every
// kind of damage in every layer is refused.
#include "backup/archive_format.h"

#include <gtest/gtest.h>

#include <random>

namespace ketcd::backup {
namespace {

class StringSink : public ByteSink {
 public:
  Status Write(std::string_view bytes) override {
    text.append(bytes);
    return Status::Ok();
  }
  Status Finish() override {
    finished = true;
    return Status::Ok();
  }
  std::string text;
  bool finished = false;
};

const std::string kKey(32, '\x42');

std::string Pack(const std::string& plain, const std::string& key) {
  StringSink out;
  auto writer = ArchiveWriter(out, key);
  EXPECT_TRUE(writer.ok());
  // Uneven writes, as a stream would give them.
  for (size_t i = 0; i < plain.size(); i += 7777) EXPECT_TRUE((*writer)->Write(plain.substr(i, 7777)).ok());
  EXPECT_TRUE((*writer)->Finish().ok());
  EXPECT_TRUE(out.finished);
  return out.text;
}

Result<std::string> Unpack(const std::string& packed, const std::string& key) {
  StringSink out;
  auto reader = ArchiveReader(out, key);
  if (!reader.ok()) return reader.status();
  for (size_t i = 0; i < packed.size(); i += 100000) {
    KETCD_RETURN_IF_ERROR((*reader)->Write(std::string_view(packed).substr(i, 100000)));
  }
  KETCD_RETURN_IF_ERROR((*reader)->Finish());
  return out.text;
}

std::string Sample(size_t size) {
  std::mt19937 random(7);
  std::string text(size, '\0');
  for (size_t i = 0; i < size; ++i) text[i] = static_cast<char>(i % 251 < 200 ? 'a' + i % 7 : random());
  return text;
}

TEST(ArchiveFormatTest, RoundTripsAtChunkBoundaries) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{(1 << 20) - 1}, size_t{1 << 20}, size_t{(3 << 20) + 5}}) {
    const std::string plain = Sample(size);
    for (const std::string& key : {std::string(), kKey}) {
      auto back = Unpack(Pack(plain, key), key);
      ASSERT_TRUE(back.ok()) << size << ": " << back.status().message();
      EXPECT_EQ(*back, plain) << size;
    }
  }
  EXPECT_LT(Pack(std::string(1 << 20, 'x'), "").size(), 1000u);  // compressed
}

TEST(ArchiveFormatTest, RefusesDamageInEveryLayer) {
  const std::string plain = Sample((2 << 20) + 100);
  const std::string sealed = Pack(plain, kKey);
  // Encryption layer: header, a chunk length, ciphertext, a tag, the last flag.
  const size_t first_chunk = 21;
  for (size_t at : {size_t{3}, size_t{12}, first_chunk + 1, first_chunk + 4 + 500, sealed.size() - 1, sealed.size() - 20}) {
    std::string damaged = sealed;
    damaged[at] ^= 0x01;
    auto result = Unpack(damaged, kKey);
    EXPECT_FALSE(result.ok()) << "flip at " << at;
  }
  auto truncated = Unpack(sealed.substr(0, sealed.size() - 100), kKey);
  EXPECT_EQ(truncated.status().code(), ErrorCode::kDataLoss) << truncated.status().message();
  auto wrong_key = Unpack(sealed, std::string(32, '\x43'));
  EXPECT_EQ(wrong_key.status().code(), ErrorCode::kDataLoss);
  EXPECT_NE(wrong_key.status().message().find("fails authentication"), std::string::npos);
  EXPECT_EQ(Unpack(sealed, "").status().code(), ErrorCode::kInvalidArgument);

  // Compression layer (zstd's content checksum catches a flip anywhere).
  const std::string compressed = Pack(plain, "");
  for (size_t at : {compressed.size() / 2, compressed.size() - 2}) {
    std::string damaged = compressed;
    damaged[at] ^= 0x10;
    EXPECT_EQ(Unpack(damaged, "").status().code(), ErrorCode::kDataLoss) << "flip at " << at;
  }
  EXPECT_EQ(Unpack(compressed.substr(0, compressed.size() / 2), "").status().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(Unpack("not a backup at all", "").status().code(), ErrorCode::kDataLoss);
}

TEST(ArchiveFormatTest, NoObjectIsEncryptedWithoutFreshRandomNonce) {
  StringSink out;
  auto writer = ArchiveWriter(out, kKey, 3, [](char*, size_t) { return false; });
  EXPECT_EQ(writer.status().code(), ErrorCode::kInternal);
  EXPECT_TRUE(ArchiveWriter(out, "", 3, [](char*, size_t) { return false; }).ok());  // nothing to encrypt
  // Header bytes 13..20 are the nonce prefix: never the same twice.
  EXPECT_NE(Pack("same", kKey).substr(13, 8), Pack("same", kKey).substr(13, 8));
}

TEST(ArchiveFormatTest, ConfiguredKeyRefusesPlainObject) {
  auto accepted = Unpack(Pack(Sample(5000), ""), kKey);
  EXPECT_EQ(accepted.status().code(), ErrorCode::kDataLoss);
  EXPECT_NE(accepted.status().message().find("not encrypted"), std::string::npos) << accepted.status().message();
}

}  // namespace
}  // namespace ketcd::backup
