// The oracle of the continuous backup tests: etcd's keyspace at a revision
// (its own Range), a snapshot file's keyspace read from its "key" bucket,
// and a writer making every kind of change etcd records (puts, deletes,
// multi-operation transactions, lease-attached keys).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <thread>

#include "bolt/database.h"
#include "etcd/client.h"
#include "snapshot/backend_layout.h"
#include "snapshot/snapshot_file.h"

namespace ketcd::testing {

struct StoredKey {
  std::string value;
  int64_t create_revision = 0, mod_revision = 0, version = 0, lease = 0;
  bool operator==(const StoredKey&) const = default;
};
using Keyspace = std::map<std::string, StoredKey>;

inline std::ostream& operator<<(std::ostream& out, const StoredKey& k) {
  return out << "{" << k.value.size() << " bytes, create " << k.create_revision << ", mod " << k.mod_revision
             << ", version " << k.version << ", lease " << k.lease << "}";
}

// etcd's newest revision.
inline int64_t CurrentRevision(etcd::EtcdClient& client) {
  etcd::pb::RangeRequest request;
  request.set_key("/");
  request.set_limit(1);
  auto response = client.Range(request);
  EXPECT_TRUE(response.ok()) << response.status().message();
  return response.ok() ? response->header().revision() : 0;
}

// etcd's keyspace at `revision`.
inline Keyspace EtcdAt(etcd::EtcdClient& client, int64_t revision) {
  etcd::pb::RangeRequest request;
  request.set_key(std::string(1, '\0'));
  request.set_range_end(std::string(1, '\0'));
  request.set_revision(revision);
  auto response = client.Range(request);
  EXPECT_TRUE(response.ok()) << response.status().message();
  Keyspace keys;
  if (!response.ok()) return keys;
  for (const auto& kv : response->kvs()) {
    keys[kv.key()] = {kv.value(), kv.create_revision(), kv.mod_revision(), kv.version(), kv.lease()};
  }
  return keys;
}

// The newest version of every live key in a snapshot file or a member's
// backend, read from its "key" bucket as etcd reads it at start.
inline Keyspace SnapshotKeyspace(const std::string& path) {
  Keyspace keys;
  auto file = snapshot::OpenSnapshot(path);
  EXPECT_TRUE(file.ok()) << file.status().message();
  if (!file.ok()) return keys;
  if (file->trailer) EXPECT_TRUE(snapshot::CheckTrailer(*file).ok());
  auto bucket = file->db.Bucket(file->db.root(), std::string(snapshot::kKeyBucket));
  EXPECT_TRUE(bucket.ok());
  if (!bucket.ok()) return keys;
  bolt::Cursor cursor(file->db, *bucket);
  EXPECT_TRUE(cursor.First().ok());
  while (cursor.valid()) {
    if (cursor.value().empty()) {  // a restore's --bump-revision marker: no key
      EXPECT_TRUE(cursor.Next().ok());
      continue;
    }
    auto revision = snapshot::ParseRevisionKey(cursor.key());
    mvccpb::KeyValue kv;
    EXPECT_TRUE(revision.has_value() && kv.ParseFromArray(cursor.value().data(), static_cast<int>(cursor.value().size())));
    if (revision->tombstone) {
      keys.erase(kv.key());
    } else {
      keys[kv.key()] = {kv.value(), kv.create_revision(), kv.mod_revision(), kv.version(), kv.lease()};
    }
    EXPECT_TRUE(cursor.Next().ok());
  }
  return keys;
}

// Puts, deletes, multi-operation transactions and lease-attached keys
// while the recorder runs; a writer thread with its own client.
inline void WriteMixed(const etcd::ConnectionConfig& config, const std::atomic<bool>& stop, int64_t* lease_out) {
  auto client = etcd::EtcdClient::Create(config);
  ASSERT_TRUE(client.ok());
  auto lease = (*client)->LeaseGrant(600);
  ASSERT_TRUE(lease.ok());
  *lease_out = lease->id();
  std::mt19937 random(7);
  // 200 changes a second, or as many as etcd takes when it is slower.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; !stop.load(); ++i) {
    std::this_thread::sleep_until(start + i * std::chrono::milliseconds(5));
    const std::string key = "/registry/pods/default/p-" + std::to_string(random() % 40);
    switch (i % 4) {
      case 0: {
        etcd::pb::PutRequest put;
        put.set_key(key);
        put.set_value("value " + std::to_string(i));
        ASSERT_TRUE((*client)->Put(put).ok());
        break;
      }
      case 1: {
        etcd::pb::DeleteRangeRequest del;
        del.set_key(key);
        ASSERT_TRUE((*client)->DeleteRange(del).ok());
        break;
      }
      case 2: {  // one revision, several events
        etcd::pb::TxnRequest txn;
        for (int op = 0; op < 3; ++op) {
          auto* put = txn.add_success()->mutable_request_put();
          put->set_key("/registry/leases/kube-system/l-" + std::to_string(op));
          put->set_value("holder " + std::to_string(i));
        }
        txn.add_success()->mutable_request_delete_range()->set_key(key);
        ASSERT_TRUE((*client)->Txn(txn).ok());
        break;
      }
      default: {
        etcd::pb::PutRequest put;
        put.set_key("/registry/events/default/e-" + std::to_string(i));
        put.set_value(std::string(200, 'e'));
        put.set_lease(*lease_out);
        ASSERT_TRUE((*client)->Put(put).ok());
      }
    }
  }
}

}  // namespace ketcd::testing
