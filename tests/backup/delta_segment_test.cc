// Delta segments (issue 18): what the watch reported, written and read back
// event for event, through the archive layers too; damaged or hostile
// segments are refused with kDataLoss, never a crash.
#include "backup/delta_segment.h"

#include <gtest/gtest.h>

#include <random>

#include "backup/archive_format.h"
#include "util/varint.h"

namespace ketcd::backup {
namespace {

mvccpb::Event Put(const std::string& key, const std::string& value, int64_t create, int64_t mod, int64_t version,
                  int64_t lease = 0) {
  mvccpb::Event event;
  event.set_type(mvccpb::Event::PUT);
  mvccpb::KeyValue* kv = event.mutable_kv();
  kv->set_key(key);
  kv->set_value(value);
  kv->set_create_revision(create);
  kv->set_mod_revision(mod);
  kv->set_version(version);
  kv->set_lease(lease);
  return event;
}

mvccpb::Event Delete(const std::string& key, int64_t mod) {
  mvccpb::Event event;
  event.set_type(mvccpb::Event::DELETE);
  event.mutable_kv()->set_key(key);
  event.mutable_kv()->set_mod_revision(mod);
  return event;
}

// Revisions 11.. of a small history: puts, a lease, a transaction of three
// events, deletes, and a value with every byte value.
std::vector<DeltaRevision> History() {
  std::string binary;
  for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
  std::vector<DeltaRevision> revisions;
  revisions.push_back({11, 1000, {Put("/registry/pods/a", "v1", 11, 11, 1)}});
  revisions.push_back({12, 1000, {Put("/registry/pods/a", "v2", 11, 12, 2, 0x1234)}});
  revisions.push_back({13, 1500, {Put("/registry/x", binary, 13, 13, 1), Delete("/registry/pods/a", 13),
                                  Put("/registry/y", std::string(100000, 'y'), 13, 13, 1)}});
  revisions.push_back({20, 2500, {Delete("/registry/x", 20)}});
  return revisions;
}

std::string Write(const std::vector<DeltaRevision>& revisions) {
  StringSink sink(64 << 20);
  DeltaSegmentWriter writer(sink);
  for (const auto& revision : revisions) EXPECT_TRUE(writer.Add(revision).ok());
  EXPECT_TRUE(writer.Finish().ok());
  return sink.text;
}

// Reads `bytes` handed over in pieces of `piece` bytes.
Result<std::vector<DeltaRevision>> Read(std::string_view bytes, size_t piece = SIZE_MAX) {
  std::vector<DeltaRevision> read;
  DeltaSegmentReader reader([&](DeltaRevision&& revision) {
    read.push_back(std::move(revision));
    return Status::Ok();
  });
  for (size_t at = 0; at < bytes.size(); at += piece) {
    KETCD_RETURN_IF_ERROR(reader.Write(bytes.substr(at, piece)));
  }
  KETCD_RETURN_IF_ERROR(reader.Finish());
  return read;
}

void ExpectSame(const std::vector<DeltaRevision>& a, const std::vector<DeltaRevision>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].revision, b[i].revision);
    EXPECT_EQ(a[i].unix_millis, b[i].unix_millis);
    ASSERT_EQ(a[i].events.size(), b[i].events.size());
    for (size_t j = 0; j < a[i].events.size(); ++j) {
      EXPECT_EQ(a[i].events[j].SerializeAsString(), b[i].events[j].SerializeAsString()) << i << "/" << j;
    }
  }
}

TEST(DeltaSegmentTest, EveryEventComesBackInOrderWhateverPiecesTheBytesArriveIn) {
  const std::vector<DeltaRevision> history = History();
  const std::string bytes = Write(history);
  for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}, SIZE_MAX}) {
    auto read = Read(bytes, piece);
    ASSERT_TRUE(read.ok()) << read.status().message();
    ExpectSame(*read, history);
  }
}

TEST(DeltaSegmentTest, WriterCountsWhatItWrote) {
  StringSink sink(64 << 20);
  DeltaSegmentWriter writer(sink);
  for (const auto& revision : History()) ASSERT_TRUE(writer.Add(revision).ok());
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_EQ(writer.first_revision(), 11);
  EXPECT_EQ(writer.last_revision(), 20);
  EXPECT_EQ(writer.first_unix_millis(), 1000);
  EXPECT_EQ(writer.last_unix_millis(), 2500);
  EXPECT_EQ(writer.events(), 6);
  EXPECT_EQ(writer.plain_bytes(), static_cast<int64_t>(sink.text.size()));
}

TEST(DeltaSegmentTest, AnEmptySegmentReadsAsNoRevisions) {
  auto read = Read(Write({}));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_TRUE(read->empty());
}

TEST(DeltaSegmentTest, WriterRefusesWhatTheWatchCannotHaveSent) {
  StringSink sink;
  DeltaSegmentWriter writer(sink);
  ASSERT_TRUE(writer.Add({5, 100, {Put("k", "v", 5, 5, 1)}}).ok());
  EXPECT_EQ(writer.Add({5, 100, {Put("k", "v", 5, 5, 2)}}).code(), ErrorCode::kInvalidArgument);  // same revision
  EXPECT_EQ(writer.Add({6, 99, {Put("k", "v", 5, 6, 2)}}).code(), ErrorCode::kInvalidArgument);   // time goes back
  EXPECT_EQ(writer.Add({6, 100, {}}).code(), ErrorCode::kInvalidArgument);                        // no events
  EXPECT_EQ(writer.Add({6, 100, {Put("k", "v", 5, 7, 2)}}).code(), ErrorCode::kInvalidArgument);  // wrong block
  EXPECT_EQ(writer.Add({6, 100, {Put("", "v", 6, 6, 1)}}).code(), ErrorCode::kInvalidArgument);   // no key
  EXPECT_EQ(writer.Add({6, 100, {Put("k", "v", 7, 6, 1)}}).code(), ErrorCode::kInvalidArgument);  // created later
  ASSERT_TRUE(writer.Add({6, 100, {Put("k", "v", 5, 6, 2)}}).ok());
}

TEST(DeltaSegmentTest, EveryTruncationIsRefusedOrEndsAtABlockBoundary) {
  const std::vector<DeltaRevision> history = History();
  const std::string bytes = Write(history);
  // Where each block ends: the only places a cut leaves a valid segment.
  std::vector<size_t> ends;
  for (size_t i = 0; i <= history.size(); ++i) {
    ends.push_back(Write(std::vector<DeltaRevision>(history.begin(), history.begin() + static_cast<long>(i))).size());
  }
  for (size_t cut = 0; cut < bytes.size(); cut += (cut < 200 ? 1 : 97)) {
    auto read = Read(std::string_view(bytes).substr(0, cut));
    const bool at_boundary = std::find(ends.begin(), ends.end(), cut) != ends.end();
    EXPECT_EQ(read.ok(), at_boundary) << "cut at " << cut;
    if (!read.ok()) EXPECT_EQ(read.status().code(), ErrorCode::kDataLoss) << "cut at " << cut;
  }
}

TEST(DeltaSegmentTest, DamagedSegmentsAreDataLossNeverACrash) {
  const std::string bytes = Write(History());
  std::mt19937 random(3);
  for (int round = 0; round < 3000; ++round) {
    std::string damaged = bytes;
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < flips; ++i) damaged[random() % damaged.size()] ^= static_cast<char>(1 + random() % 255);
    auto read = Read(damaged, 1 + random() % 5000);
    // A flip inside a value or a lease still reads; anything that breaks
    // the framing or an event's sense is kDataLoss.
    if (!read.ok()) EXPECT_EQ(read.status().code(), ErrorCode::kDataLoss) << read.status().message();
  }
}

TEST(DeltaSegmentTest, HostileFramingIsRefused) {
  std::string magic(kDeltaSegmentMagic);
  EXPECT_EQ(Read("KETCDDELTA\x02\n").status().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(Read("").status().code(), ErrorCode::kDataLoss);
  // A block claiming more than any revision can hold.
  std::string huge = magic;
  AppendVarint(huge, 5);
  AppendVarint(huge, 0);
  AppendVarint(huge, kMaxDeltaBlockBytes + 1);
  auto read = Read(huge);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::kDataLoss);
  // A revision older than the one before it.
  const std::string first = Write({{9, 0, {Put("k", "v", 9, 9, 1)}}});
  const std::string second = Write({{8, 0, {Put("k", "v", 8, 8, 1)}}});
  read = Read(first + second.substr(magic.size()));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("revision 8"), std::string::npos) << read.status().message();
  // A block of no events.
  std::string empty = magic;
  AppendVarint(empty, 5);
  AppendVarint(empty, 0);
  AppendVarint(empty, 0);
  EXPECT_EQ(Read(empty).status().code(), ErrorCode::kDataLoss);
}

TEST(DeltaSegmentTest, ThroughTheArchiveLayersEncryptedAndBack) {
  const std::vector<DeltaRevision> history = History();
  const std::string key(kEncryptionKeyBytes, 'k');
  StringSink stored(64 << 20);
  auto archive = ArchiveWriter(stored, key);
  ASSERT_TRUE(archive.ok());
  DeltaSegmentWriter writer(**archive);
  for (const auto& revision : history) ASSERT_TRUE(writer.Add(revision).ok());
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_EQ(stored.text.find("/registry/pods/a"), std::string::npos);  // encrypted

  std::vector<DeltaRevision> read;
  DeltaSegmentReader segment([&](DeltaRevision&& revision) {
    read.push_back(std::move(revision));
    return Status::Ok();
  });
  auto reader = ArchiveReader(segment, key);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->Write(stored.text).ok());
  ASSERT_TRUE((*reader)->Finish().ok());
  ExpectSame(read, history);
}

}  // namespace
}  // namespace ketcd::backup
