#include "restore/data_dir_membership.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "bolt/database.h"
#include "etcd/etcdserver/api/snap/snappb/snap.pb.h"
#include "etcd/etcdserver/etcdserverpb/etcdserver.pb.h"
#include "etcd/member_lookup.h"
#include "etcd/raft/raftpb/raft.pb.h"
#include "restore/wal_reader.h"
#include "snapshot/backend_layout.h"
#include "util/read_file.h"

namespace ketcd::restore {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// The name in a member's JSON ({"id":..,"name":".."}); empty when absent.
std::string NameIn(const std::string& member_json) {
  Json member = Json::parse(member_json, nullptr, /*allow_exceptions=*/false);
  return member.is_object() && member.value("name", Json()).is_string()
             ? member["name"].get<std::string>()
             : std::string();
}

// The newest member/snap/*.snap (names are TERM-INDEX in hex, so the
// largest name is the newest); empty when there is none.
std::string NewestSnapFile(const std::string& snap_dir) {
  std::string newest;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(snap_dir, error)) {
    if (entry.path().extension() != ".snap") continue;
    if (entry.path().filename().string() > fs::path(newest).filename().string()) {
      newest = entry.path().string();
    }
  }
  return newest;
}

// Members and custom content of the v2 store's JSON (store.Save()).
Status ReadV2Store(const std::string& store_json, DataDirMembership& out) {
  Json store = Json::parse(store_json, nullptr, /*allow_exceptions=*/false);
  if (!store.is_object() || !store["Root"].is_object()) {
    return DataLoss("raft snapshot: its data is not a v2 store");
  }
  const Json& root_children = store["Root"]["Children"];
  if (!root_children.is_object()) return Status::Ok();
  for (const auto& [name, node] : root_children.items()) {
    if (name == "0") {
      const Json* members = nullptr;
      if (node["Children"].is_object() && node["Children"].contains("members")) {
        members = &node["Children"]["members"]["Children"];
      }
      if (members && members->is_object()) {
        for (const auto& [id_text, member] : members->items()) {
          auto id = etcd::ParseMemberId(id_text);
          if (!id.ok()) return DataLoss("v2 store: member key " + id_text + " is not an ID");
          std::string member_name;
          const Json& attributes = member["Children"];
          if (attributes.is_object() && attributes.contains("attributes")) {
            const Json& value = attributes["attributes"]["Value"];
            if (value.is_string()) member_name = NameIn(value.get<std::string>());
          }
          out.raft_members[*id] = member_name;
        }
      }
      continue;
    }
    // Everything else is data of the v2 API: list its files.
    std::function<void(const Json&)> walk = [&](const Json& n) {
      if (!n.is_object()) return;
      if (!n["Children"].is_object()) {
        if (n["Path"].is_string()) out.v2_custom_paths.push_back(n["Path"]);
        return;
      }
      for (const auto& [child_name, child] : n["Children"].items()) walk(child);
    };
    walk(node);
  }
  return Status::Ok();
}

// A v2 API request (etcdserverpb.Request: every one has a Method) rather
// than the InternalRaftRequest etcd 3.6+ writes.
bool IsV2Request(const std::string& data) {
  etcdserverpb::Request request;
  return !data.empty() && request.ParseFromString(data) && !request.method().empty();
}

// ConfChange entries after the snapshot, in log order (a later entry at an
// index replaces the earlier tail, as raft truncates a log), and the v2
// requests among the normal entries.
Status ReadWalAfterSnapshot(const std::string& wal_dir, DataDirMembership& out) {
  std::map<uint64_t, raftpb::ConfChange> changes;
  std::set<uint64_t> v2_requests;
  // Damage ends the log here, as a torn tail always did: a member may be
  // writing its last record while this reads (`datadir inspect` reports it).
  auto scanned = ScanWal(wal_dir, [&](const WalRecord& record) {
    if (record.type != kWalEntry) return Status::Ok();
    raftpb::Entry entry;
    if (!entry.ParseFromArray(record.data.data(), static_cast<int>(record.data.size()))) {
      return DataLoss(wal_dir + ": an entry does not parse");
    }
    changes.erase(changes.lower_bound(entry.index()), changes.end());
    v2_requests.erase(v2_requests.lower_bound(entry.index()), v2_requests.end());
    if (entry.index() <= out.snapshot_index) return Status::Ok();
    if (entry.type() == raftpb::EntryNormal) {
      if (IsV2Request(entry.data())) v2_requests.insert(entry.index());
      return Status::Ok();
    }
    if (entry.type() != raftpb::EntryConfChange) return Status::Ok();
    raftpb::ConfChange change;
    if (!change.ParseFromString(entry.data())) return DataLoss(wal_dir + ": a ConfChange does not parse");
    changes[entry.index()] = std::move(change);
    return Status::Ok();
  });
  if (!scanned.ok()) return scanned.status();
  out.v2_requests_after_snapshot = v2_requests.size();
  for (const auto& [index, change] : changes) {
    switch (change.type()) {
      case raftpb::ConfChangeAddNode:
      case raftpb::ConfChangeAddLearnerNode:
        out.raft_members[change.node_id()] = NameIn(change.context());
        break;
      case raftpb::ConfChangeRemoveNode:
        out.raft_members.erase(change.node_id());
        break;
      default:
        break;
    }
  }
  return Status::Ok();
}

Status ReadBackend(const std::string& db_path, DataDirMembership& out) {
  auto db = bolt::Database::Open(db_path);
  if (!db.ok()) return db.status();
  if (auto members = db->Bucket(db->root(), "members"); members.ok()) {
    bolt::Cursor cursor(*db, *members);
    for (Status at = cursor.First(); cursor.valid(); at = cursor.Next()) {
      KETCD_RETURN_IF_ERROR(at);
      auto id = etcd::ParseMemberId(std::string(cursor.key()));
      if (!id.ok()) return DataLoss(db_path + ": members bucket key is not an ID");
      out.backend_members[*id] = NameIn(std::string(cursor.value()));
    }
  }
  auto storage_version = bolt::ValueIn(*db, snapshot::kMetaBucket, "storageVersion");
  if (!storage_version.ok()) return storage_version.status();
  out.storage_version = *storage_version;
  auto cluster_version = bolt::ValueIn(*db, "cluster", "clusterVersion");
  if (!cluster_version.ok()) return cluster_version.status();
  out.cluster_version = *cluster_version;
  return Status::Ok();
}

}  // namespace

Result<DataDirMembership> ReadDataDirMembership(const std::string& data_dir) {
  DataDirMembership out;
  const std::string member_dir = data_dir + "/member";
  if (!fs::is_directory(member_dir)) return NotFound(data_dir + ": not an etcd data dir (no member/)");
  const std::string snap_file = NewestSnapFile(member_dir + "/snap");
  if (!snap_file.empty()) {
    auto bytes = ReadWholeFile(snap_file);
    if (!bytes.ok()) return bytes.status();
    snappb::snapshot file;
    raftpb::Snapshot snapshot;
    if (!file.ParseFromString(*bytes) || !snapshot.ParseFromString(file.data())) {
      return DataLoss(snap_file + ": not a raft snapshot");
    }
    out.snapshot_index = snapshot.metadata().index();
    KETCD_RETURN_IF_ERROR(ReadV2Store(snapshot.data(), out));
  }
  KETCD_RETURN_IF_ERROR(ReadWalAfterSnapshot(member_dir + "/wal", out));
  KETCD_RETURN_IF_ERROR(ReadBackend(member_dir + "/snap/db", out));
  return out;
}

}  // namespace ketcd::restore
