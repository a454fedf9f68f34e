// A recovery refuses a data dir whose db has a damaged page, saying which
// dir and which page, and writes nothing. The dir is one `snapshot restore`
// makes from a synthetic db, then a page of its "key" bucket overwritten.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "bolt/database.h"
#include "bolt/writer.h"
#include "datadir/recover.h"
#include "restore/backend_copy.h"
#include "snapshot/backend_layout.h"
#include "util/private_dir.h"

namespace ketcd::datadir {
namespace {

TEST(DamagedDataDirTest, ADamagedDbPageRefusesTheRecoveryNamingDirAndPage) {
  PrivateDir scratch;
  const std::string db = scratch.path() + "/source.db";
  {
    auto writer = bolt::Writer::Create(db);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->BeginBucket("key").ok());
    for (int i = 0; i < 200; ++i) {
      mvccpb::KeyValue kv;
      kv.set_key("/registry/configmaps/default/cm" + std::to_string(i));
      kv.set_create_revision(i + 2);
      kv.set_mod_revision(i + 2);
      kv.set_version(1);
      kv.set_value(std::string(100, 'v'));
      ASSERT_TRUE((*writer)->Put(snapshot::RevisionKeyBytes({i + 2, 0}), kv.SerializeAsString()).ok());
    }
    ASSERT_TRUE((*writer)->BeginBucket("meta").ok());
    ASSERT_TRUE((*writer)->Put("consistent_index", restore::BigEndian64(5)).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
  }
  restore::RestoreOptions options;
  options.snapshot_path = db;
  options.skip_hash_check = true;
  options.data_dir = scratch.path() + "/member.etcd";
  ASSERT_TRUE(restore::RestoreMember(options).ok());

  // The first page of the "key" bucket, overwritten.
  const std::string member_db = options.data_dir + "/member/snap/db";
  uint64_t page = 0, page_size = 0;
  {
    auto opened = bolt::Database::Open(member_db);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    auto bucket = opened->Bucket(opened->root(), "key");
    ASSERT_TRUE(bucket.ok());
    ASSERT_NE(bucket->root, 0u) << "200 revisions fill pages of their own";
    page = bucket->root;
    page_size = opened->meta().page_size;
  }
  {
    std::fstream file(member_db, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(page * page_size));
    const std::string garbage(page_size, '\xff');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }

  RecoverRequest request;
  request.from = {options.data_dir};
  request.restore.data_dir = scratch.path() + "/recovered.etcd";
  auto recovered = Recover(request);
  ASSERT_FALSE(recovered.ok());
  EXPECT_EQ(recovered.status().code(), ErrorCode::kFailed);
  EXPECT_NE(recovered.status().message().find("no data dir is usable (" + options.data_dir + ": db "),
            std::string::npos)
      << recovered.status().message();
  EXPECT_NE(recovered.status().message().find("page " + std::to_string(page)), std::string::npos)
      << recovered.status().message();
  EXPECT_FALSE(std::filesystem::exists(request.restore.data_dir));
}

}  // namespace
}  // namespace ketcd::datadir
