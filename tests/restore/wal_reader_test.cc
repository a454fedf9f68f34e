// The WAL reader on logs ketcd writes (restore/wal_writer.h), then damaged
// as crashes and disks damage them: every record read with its CRC chain
// checked; a torn tail (cut short, or a zeroed sector) told apart from
// corruption (a flipped byte, a segment missing from the sequence), each
// named with its file and offset.
#include "restore/wal_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "restore/wal_writer.h"
#include "support/test_files.h"
#include "util/read_file.h"

namespace ketcd::restore {
namespace {

namespace fs = std::filesystem;

constexpr char kFirstSegment[] = "0000000000000000-0000000000000000.wal";

class WalReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    ASSERT_FALSE(dir_.empty());
    InitialWal wal;
    wal.metadata.set_nodeid(7);
    wal.metadata.set_clusterid(9);
    for (uint64_t i = 1; i <= 3; ++i) {
      raftpb::Entry& entry = wal.entries.emplace_back();
      entry.set_term(1);
      entry.set_index(i);
      entry.set_data(std::string(300 * i, static_cast<char>('a' + i)));
    }
    wal.state.set_term(1);
    wal.state.set_commit(3);
    ASSERT_TRUE(WriteInitialWal(dir_ + "/wal", wal).ok());
    segment_ = dir_ + "/wal/" + kFirstSegment;
    // The log without its preallocated zeros: the end of the file ends it.
    auto bytes = ReadWholeFile(segment_);
    ASSERT_TRUE(bytes.ok());
    auto whole = ScanAll();
    ASSERT_FALSE(whole.damage.has_value()) << whole.damage->Describe();
    used_ = bytes->substr(0, bytes->find_last_not_of('\0') + 1);
    used_.resize((used_.size() + 7) / 8 * 8, '\0');  // frames are 8-byte aligned
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  WalScan ScanAll() {
    types_.clear();
    auto scanned = ScanWal(dir_ + "/wal", [&](const WalRecord& record) {
      types_.push_back(record.type);
      return Status::Ok();
    });
    EXPECT_TRUE(scanned.ok()) << scanned.status().message();
    return scanned.ok() ? *scanned : WalScan{};
  }

  void Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ + "/wal/" + name, std::ios::binary | std::ios::trunc) << bytes;
  }

  std::string dir_, segment_, used_;
  std::vector<int64_t> types_;
};

TEST_F(WalReaderTest, ReadsEveryRecordOfAWholeLog) {
  const WalScan scan = ScanAll();
  EXPECT_FALSE(scan.damage.has_value());
  EXPECT_EQ(scan.segments, 1u);
  // crc, metadata, an empty snapshot, three entries, the hard state, and
  // the raft snapshot the log starts from (as etcdutl writes them).
  EXPECT_EQ(types_, (std::vector<int64_t>{kWalCrc, kWalMetadata, kWalSnapshot, kWalEntry, kWalEntry, kWalEntry,
                                          kWalState, kWalSnapshot}));
  EXPECT_EQ(scan.records, 8u);
}

TEST_F(WalReaderTest, AFlippedByteIsCorruptionAtThatRecord) {
  std::string bytes = used_;
  const size_t at = bytes.find(std::string(600, 'c'));  // the second entry's data
  ASSERT_NE(at, std::string::npos);
  bytes[at + 10] ^= 0x01;
  Write(kFirstSegment, bytes);
  const WalScan scan = ScanAll();
  ASSERT_TRUE(scan.damage.has_value());
  EXPECT_EQ(scan.damage->kind, WalDamage::Kind::kCorrupt);
  EXPECT_EQ(scan.damage->segment, kFirstSegment);
  EXPECT_LT(scan.damage->offset, at);
  EXPECT_GT(scan.damage->offset, at - 64);
  EXPECT_NE(scan.damage->Describe().find("CRC mismatch"), std::string::npos) << scan.damage->Describe();
  EXPECT_EQ(scan.records, 4u) << "the records before it";
}

TEST_F(WalReaderTest, ALastRecordCutShortOrZeroedIsATornTail) {
  Write(kFirstSegment, used_.substr(0, used_.size() - 5));
  WalScan scan = ScanAll();
  ASSERT_TRUE(scan.damage.has_value());
  EXPECT_EQ(scan.damage->kind, WalDamage::Kind::kTornTail) << scan.damage->Describe();
  EXPECT_EQ(scan.records, 7u);

  // The third entry's data (900 bytes: a whole 512-byte sector) zeroed, as
  // a write lost in a crash leaves it; it is not the last record, but the
  // log ends there.
  std::string zeroed = used_;
  const size_t at = zeroed.find(std::string(900, 'd'));
  ASSERT_NE(at, std::string::npos);
  std::fill(zeroed.begin() + static_cast<std::ptrdiff_t>(at), zeroed.begin() + static_cast<std::ptrdiff_t>(at + 900), '\0');
  Write(kFirstSegment, zeroed);
  scan = ScanAll();
  ASSERT_TRUE(scan.damage.has_value());
  EXPECT_EQ(scan.damage->kind, WalDamage::Kind::kTornTail) << scan.damage->Describe();
  EXPECT_EQ(scan.records, 5u);
}

TEST_F(WalReaderTest, SegmentsFollowEachOtherAndAGapIsCorruption) {
  // A second segment: a crc record carrying the chain, then the records of
  // the first again (their CRCs go on from the first's).
  const std::string second = "0000000000000001-0000000000000004.wal";
  auto first_read = ScanWalSegment(used_, kFirstSegment, false, 0, [](const WalRecord&) { return Status::Ok(); });
  ASSERT_TRUE(first_read.ok());
  ASSERT_FALSE(first_read->damage.has_value());
  Write(kFirstSegment, used_);
  Write(second, used_);
  WalScan scan = ScanAll();
  // The copy's own crc record says 0 where the chain reached another value.
  ASSERT_TRUE(scan.damage.has_value());
  EXPECT_EQ(scan.damage->segment, second);
  EXPECT_EQ(scan.damage->offset, 0u);
  EXPECT_NE(scan.damage->why.find("CRC mismatch"), std::string::npos) << scan.damage->why;

  fs::rename(dir_ + "/wal/" + second, dir_ + "/wal/0000000000000002-0000000000000004.wal");
  scan = ScanAll();
  ASSERT_TRUE(scan.damage.has_value());
  EXPECT_EQ(scan.damage->kind, WalDamage::Kind::kCorrupt);
  EXPECT_NE(scan.damage->why.find("a gap in the segment sequence"), std::string::npos) << scan.damage->why;

  Write("not-a-segment.wal", "x");
  auto refused = ScanWal(dir_ + "/wal", [](const WalRecord&) { return Status::Ok(); });
  EXPECT_FALSE(refused.ok());
}

TEST_F(WalReaderTest, ASegmentCutShortBeforeTheLastIsCorruption) {
  auto read = ScanWalSegment(used_.substr(0, used_.size() - 5), kFirstSegment, /*last=*/false, 0,
                             [](const WalRecord&) { return Status::Ok(); });
  ASSERT_TRUE(read.ok());
  ASSERT_TRUE(read->damage.has_value());
  EXPECT_EQ(read->damage->kind, WalDamage::Kind::kCorrupt);
}

}  // namespace
}  // namespace ketcd::restore
