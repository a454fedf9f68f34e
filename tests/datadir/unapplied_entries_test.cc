// The entries a recovery applies, on synthetic WALs and dbs: which entries
// are read (a later leader's replacing the tail, those past the saved
// commit index, gaps refused), and a lease revoked whose keys are in the db
// (etcd 3.5+ commits its db at every deletion, so real WALs rarely leave one).
#include <gtest/gtest.h>
#include <google/protobuf/unknown_field_set.h>

#include <filesystem>

#include "bolt/writer.h"
#include "datadir/entry_applier.h"
#include "datadir/unapplied_entries.h"
#include "restore/backend_copy.h"
#include "restore/wal_writer.h"
#include "snapshot/backend_layout.h"
#include "util/private_dir.h"

namespace ketcd::datadir {
namespace {

// A fresh path under one private dir, removed when the tests end.
std::string ScratchPath(const std::string& name) {
  static PrivateDir scratch;
  static int made = 0;
  return scratch.path() + "/" + std::to_string(++made) + "-" + name;
}

raftpb::Entry EntryAt(uint64_t index, uint64_t term, std::string data = "") {
  raftpb::Entry entry;
  entry.set_index(index);
  entry.set_term(term);
  entry.set_type(raftpb::EntryNormal);
  entry.set_data(std::move(data));
  return entry;
}

// A WAL holding `entries` and a hard state committing up to `commit`.
std::string WalWith(const std::vector<raftpb::Entry>& entries, uint64_t commit) {
  const std::string dir = ScratchPath("wal");
  restore::InitialWal wal;
  wal.metadata.set_nodeid(1);
  wal.metadata.set_clusterid(2);
  wal.entries = entries;
  wal.state.set_term(entries.empty() ? 1 : entries.back().term());
  wal.state.set_commit(commit);
  EXPECT_TRUE(restore::WriteInitialWal(dir, wal).ok());
  return dir;
}

std::vector<std::pair<uint64_t, uint64_t>> IndexesAndTerms(const UnappliedEntries& read) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const auto& entry : read.entries) out.push_back({entry.index(), entry.term()});
  return out;
}

TEST(UnappliedEntriesTest, ALaterLeadersEntriesReplaceTheTailAndThosePastTheCommitIndexAreCounted) {
  const std::string wal = WalWith({EntryAt(1, 1), EntryAt(2, 1), EntryAt(3, 1), EntryAt(2, 2), EntryAt(3, 2)}, 2);
  auto all = ReadUnappliedEntries(wal, 0, false);
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(IndexesAndTerms(*all), (std::vector<std::pair<uint64_t, uint64_t>>{{1, 1}, {2, 2}, {3, 2}}));
  EXPECT_EQ(all->commit_index, 2u);
  EXPECT_EQ(all->past_commit, 1u);
  auto committed = ReadUnappliedEntries(wal, 1, true);
  ASSERT_TRUE(committed.ok()) << committed.status().message();
  EXPECT_EQ(IndexesAndTerms(*committed), (std::vector<std::pair<uint64_t, uint64_t>>{{2, 2}}));
}

TEST(UnappliedEntriesTest, MissingEntriesAreRefusedNamingThem) {
  auto gap = ReadUnappliedEntries(WalWith({EntryAt(5, 1), EntryAt(6, 1), EntryAt(7, 1)}, 7), 2, false);
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.status().code(), ErrorCode::kDataLoss);
  EXPECT_NE(gap.status().message().find("committed entries 3..4 are not in the WAL"), std::string::npos)
      << gap.status().message();
  auto short_log = ReadUnappliedEntries(WalWith({EntryAt(1, 1), EntryAt(2, 1), EntryAt(3, 1)}, 5), 0, false);
  ASSERT_FALSE(short_log.ok());
  EXPECT_NE(short_log.status().message().find("4..5 are not in the WAL (it ends before the commit index)"),
            std::string::npos)
      << short_log.status().message();
}

std::string StoredKv(const std::string& key, int64_t revision, int64_t lease) {
  mvccpb::KeyValue kv;
  kv.set_key(key);
  kv.set_create_revision(revision);
  kv.set_mod_revision(revision);
  kv.set_version(1);
  kv.set_value("v");
  kv.set_lease(lease);
  return kv.SerializeAsString();
}

std::string Request(int field, const google::protobuf::Message& message) {
  google::protobuf::UnknownFieldSet fields;
  fields.AddVarint(1, 42);  // the request ID
  fields.AddLengthDelimited(field, message.SerializeAsString());
  std::string data;
  fields.SerializeToString(&data);
  return data;
}

TEST(EntryApplierTest, ARevokedLeaseDeletesItsKeysInTheDbInOneRevision) {
  const std::string db = ScratchPath("db");
  {
    auto writer = bolt::Writer::Create(db);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->BeginBucket("key").ok());
    ASSERT_TRUE((*writer)->Put(snapshot::RevisionKeyBytes({2, 0}), StoredKv("/b", 2, 7)).ok());
    ASSERT_TRUE((*writer)->Put(snapshot::RevisionKeyBytes({3, 0}), StoredKv("/a", 3, 7)).ok());
    ASSERT_TRUE((*writer)->Put(snapshot::RevisionKeyBytes({4, 0}), StoredKv("/c", 4, 0)).ok());
    ASSERT_TRUE((*writer)->BeginBucket("lease").ok());
    ASSERT_TRUE((*writer)->Put(restore::BigEndian64(7), snapshot::LeaseRecord(7, 60)).ok());
    ASSERT_TRUE((*writer)->BeginBucket("meta").ok());
    ASSERT_TRUE((*writer)->Put("consistent_index", restore::BigEndian64(10)).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
  }
  auto keyspace = snapshot::OfflineKeyspace::Open(db);
  ASSERT_TRUE(keyspace.ok()) << keyspace.status().message();
  auto applier = EntryApplier::Create(**keyspace);
  ASSERT_TRUE(applier.ok()) << applier.status().message();

  etcdserverpb::LeaseRevokeRequest revoke;
  revoke.set_id(7);
  etcdserverpb::PutRequest put;  // refused: the lease is gone
  put.set_key("/d");
  put.set_lease(7);
  etcdserverpb::DeleteRangeRequest nothing;  // deletes nothing: no revision
  nothing.set_key("/zz");
  etcdserverpb::DeleteRangeRequest del;
  del.set_key("/c");
  ASSERT_TRUE((*applier)
                  ->ApplyAll({EntryAt(11, 2, Request(9, revoke)), EntryAt(12, 2, Request(4, put)),
                              EntryAt(13, 2, Request(5, nothing)), EntryAt(14, 2, Request(5, del)),
                              EntryAt(15, 2)})
                  .ok());
  const auto& changes = (*applier)->changes();
  ASSERT_EQ(changes.size(), 3u);
  auto key_of = [](const AppliedChange& change) {
    mvccpb::KeyValue kv;
    kv.ParseFromString(change.stored);
    return kv.key();
  };
  EXPECT_EQ(changes[0].revision, (snapshot::Revision{5, 0}));
  EXPECT_EQ(key_of(changes[0]), "/a");  // in key order
  EXPECT_EQ(changes[1].revision, (snapshot::Revision{5, 1}));
  EXPECT_EQ(key_of(changes[1]), "/b");
  EXPECT_EQ(changes[2].revision, (snapshot::Revision{6, 0}));
  EXPECT_EQ(key_of(changes[2]), "/c");
  for (const auto& change : changes) EXPECT_TRUE(change.tombstone);
  EXPECT_EQ((*applier)->revision(), 6);
  EXPECT_EQ((*applier)->revoked_leases().count(restore::BigEndian64(7)), 1u);
  EXPECT_EQ((*applier)->counts().refused, 1u);
  EXPECT_EQ((*applier)->counts().requests, 3u);
  EXPECT_EQ((*applier)->counts().not_applied, 1u);  // the empty entry
}

TEST(EntryApplierTest, AnAuthChangeRefusesTheRecoveryNamingTheEntry) {
  const std::string db = ScratchPath("db");
  {
    auto writer = bolt::Writer::Create(db);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->BeginBucket("key").ok());
    ASSERT_TRUE((*writer)->Finish().ok());
  }
  auto keyspace = snapshot::OfflineKeyspace::Open(db);
  ASSERT_TRUE(keyspace.ok()) << keyspace.status().message();
  auto applier = EntryApplier::Create(**keyspace);
  ASSERT_TRUE(applier.ok());
  etcdserverpb::AuthUserAddRequest user;
  user.set_name("root");
  Status applied = (*applier)->ApplyAll({EntryAt(3, 1, Request(1100, user))});
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.message().find("committed entry 3"), std::string::npos) << applied.message();
  EXPECT_NE(applied.message().find("users, roles or auth"), std::string::npos) << applied.message();
}

}  // namespace
}  // namespace ketcd::datadir
