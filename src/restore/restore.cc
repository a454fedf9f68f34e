#include "restore/restore.h"

#include <algorithm>
#include <filesystem>
#include <future>

#include "cluster/member_identity.h"
#include "restore/backend_copy.h"
#include "restore/snap_file.h"
#include "restore/storage_version.h"
#include "restore/wal_writer.h"
#include "snapshot/backend_layout.h"
#include "snapshot/verify.h"
#include "util/durable_file.h"
#include "util/etcd_version.h"
#include "util/hex_id.h"

namespace ketcd::restore {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kTerm = 1;  // the raft term a restored cluster starts in

Status Refusal(const std::string& path, const std::vector<std::string>& problems) {
  return DataLoss(path + ": fails verification, not restored: " + problems.front() +
                  (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) +
                                             " more; see ketcd snapshot verify)"
                                       : ""));
}

// A snapshot that passes `snapshot verify` (the trailer check alone can be
// skipped, as etcdctl's --skip-hash-check does). The trailer's SHA-256 is
// computed on another thread while the data dirs are written; none is
// published before it matched (TrailerChecked).
class VerifiedSnapshot {
 public:
  static Result<std::unique_ptr<VerifiedSnapshot>> Open(const RestoreOptions& options) {
    auto file = snapshot::OpenSnapshot(options.snapshot_path);
    if (!file.ok()) return file.status();
    if (!file->trailer && !options.skip_hash_check) {
      return InvalidArgument(options.snapshot_path +
                             ": no sha256 trailer (not saved from etcd?); --skip-hash-check "
                             "restores from a member's db file");
    }
    std::unique_ptr<VerifiedSnapshot> verified(new VerifiedSnapshot(std::move(*file)));
    const snapshot::SnapshotFile& opened = verified->file_;
    if (options.snapshot_verified) return verified;
    if (opened.trailer && !options.skip_hash_check) {
      verified->trailer_ = std::async(std::launch::async, [&opened] { return snapshot::CheckTrailer(opened); });
    }
    auto report = snapshot::Verify(opened, 50, /*check_trailer=*/false);
    if (!report.ok()) return report.status();
    if (!report->problems.empty()) {
      // The trailer's problem comes first, as `snapshot verify` lists them.
      Status trailer = verified->WaitForTrailer();
      if (!trailer.ok()) report->problems.insert(report->problems.begin(), trailer.message());
      return Refusal(opened.path, report->problems);
    }
    return verified;
  }

  const snapshot::SnapshotFile& file() const { return file_; }

  // Waits for the trailer check; a mismatch refuses the restore.
  Status TrailerChecked() {
    Status trailer = WaitForTrailer();
    return trailer.ok() ? trailer : Refusal(file_.path, {trailer.message()});
  }

 private:
  explicit VerifiedSnapshot(snapshot::SnapshotFile file) : file_(std::move(file)) {}
  Status WaitForTrailer() {
    if (trailer_.valid()) trailer_status_ = trailer_.get();
    return trailer_status_;
  }

  snapshot::SnapshotFile file_;
  std::future<Status> trailer_;  // waited for by its destructor too
  Status trailer_status_ = Status::Ok();
};

Status RefuseExisting(const std::string& dir, const char* what) {
  std::error_code error;
  if (fs::exists(dir, error)) {
    return InvalidArgument(std::string(what) + " " + dir + " exists: refusing to overwrite it");
  }
  return Status::Ok();
}

// The newest revision in the snapshot's "key" bucket (revision keys sort
// by revision, so it is the last key).
Result<int64_t> LatestRevision(const bolt::Database& db) {
  auto bucket = db.Bucket(db.root(), snapshot::kKeyBucket);
  if (!bucket.ok()) return bucket.status();
  bolt::Cursor cursor(db, *bucket);
  KETCD_RETURN_IF_ERROR(cursor.Last());
  if (!cursor.valid()) return int64_t{0};
  auto revision = snapshot::ParseRevisionKey(cursor.key());
  if (!revision) return DataLoss("bucket \"key\": malformed revision key");
  return revision->revision.main;
}

// What every member's backend gets: the same for all members (`edits`
// must stay where it is while the backend is written: the callback of
// "key" fills later buckets' entries). Sets the storage versions of `result`.
Status EditsFor(const std::vector<Member>& members, const bolt::Database& db, const RestoreOptions& options,
                RestoreResult& result, BackendEdits& edits) {
  edits.merged["meta"] = {{"consistent_index", BigEndian64(members.size())},
                          {"term", BigEndian64(kTerm)}};
  auto saved = bolt::ValueIn(db, snapshot::kMetaBucket, "storageVersion");
  if (!saved.ok()) return saved.status();
  auto migrated = MigrateStorageVersion(db, *saved, options, edits);
  if (!migrated.ok()) return migrated.status();
  result.saved_storage_version = *saved;
  result.storage_version = *migrated;
  Entries& listed = edits.replaced["members"];
  for (const auto& member : members) listed[HexId(member.id)] = MemberJson(member);
  edits.replaced["members_removed"] = {};
  // etcd 3.5+ keeps the applied ConfState in meta; the snapshot's is the old
  // cluster's (etcdutl leaves it so): the new cluster's, as the WAL says.
  auto conf_state = bolt::ValueIn(db, snapshot::kMetaBucket, "confState");
  if (!conf_state.ok()) return conf_state.status();
  if (!conf_state->empty()) edits.merged["meta"]["confState"] = ConfStateJson(members);
  if (options.bump_revision > 0 || options.append_revisions) {
    auto latest = LatestRevision(db);
    if (!latest.ok()) return latest.status();
    // The bump goes above the appended revisions: written after them.
    if (options.append_revisions) edits.merged[std::string(snapshot::kLeaseBucket)];  // present while "key" is written
    BackendEdits* later = &edits;
    edits.appended[std::string(snapshot::kKeyBucket)] = [&options, later,
                                                         latest = *latest](bolt::Writer& writer) -> Status {
      int64_t last = latest;
      if (options.append_revisions) {
        auto appended = options.append_revisions(writer, *later);
        if (!appended.ok()) return appended.status();
        if (*appended > 0) last = *appended;
      }
      if (options.bump_revision == 0) return Status::Ok();
      const std::string bumped = snapshot::RevisionKeyBytes({last + options.bump_revision, 0});
      later->merged[std::string(snapshot::kMetaBucket)]["scheduledCompactRev"] = bumped;
      return writer.Put(bumped, "");
    };
  }
  return Status::Ok();
}

raftpb::ConfState ConfStateOf(const std::vector<Member>& members) {
  raftpb::ConfState conf_state;
  for (const auto& member : members) {
    if (member.learner) {
      conf_state.add_learners(member.id);
    } else {
      conf_state.add_voters(member.id);
    }
  }
  conf_state.set_auto_leave(false);  // gogo writes non-nullable fields always
  return conf_state;
}

raftpb::Snapshot RaftSnapshotOf(const std::vector<Member>& members) {
  raftpb::Snapshot snapshot;
  snapshot.set_data(MembershipStoreJson(members));
  auto* metadata = snapshot.mutable_metadata();
  metadata->set_index(members.size());
  metadata->set_term(kTerm);
  *metadata->mutable_conf_state() = ConfStateOf(members);
  return snapshot;
}

InitialWal WalOf(const std::vector<Member>& members, uint64_t cluster_id, uint64_t self) {
  InitialWal wal;
  wal.metadata.set_nodeid(self);
  wal.metadata.set_clusterid(cluster_id);
  for (size_t i = 0; i < members.size(); ++i) {
    raftpb::ConfChange change;
    change.set_id(0);
    change.set_type(members[i].learner ? raftpb::ConfChangeAddLearnerNode
                                       : raftpb::ConfChangeAddNode);
    change.set_node_id(members[i].id);
    change.set_context(MemberJson(members[i]));
    raftpb::Entry& entry = wal.entries.emplace_back();
    entry.set_type(raftpb::EntryConfChange);
    entry.set_term(kTerm);
    entry.set_index(i + 1);
    entry.set_data(change.SerializeAsString());
  }
  wal.state.set_term(kTerm);
  // As etcdutl, the first member votes for itself; a learner cannot vote.
  wal.state.set_vote(std::find_if(members.begin(), members.end(), [](const Member& m) {
                       return !m.learner;
                     })->id);
  wal.state.set_commit(members.size());
  wal.snapshot.set_index(members.size());
  wal.snapshot.set_term(kTerm);
  // walpb.Snapshot's ConfState (field 3, etcd 3.5+) is not in the 3.4 .proto
  // the build compiles: added as an unknown field, written after the others.
  wal.snapshot.mutable_unknown_fields()->AddLengthDelimited(
      3, ConfStateOf(members).SerializeAsString());
  return wal;
}

// Writes one member's data dir; `backend` is a finished db to copy, or
// empty to write it from the snapshot with `edits` (and set it for the next
// member).
Status WriteMember(VerifiedSnapshot& snapshot, const BackendEdits& edits,
                   const std::vector<Member>& members, uint64_t cluster_id, const Member& self,
                   const std::string& data_dir, const std::string& wal_dir,
                   std::string& backend) {
  const std::string staging = data_dir + ".ketcd-restoring";
  std::error_code error;
  fs::remove_all(staging, error);  // left by an interrupted restore
  const std::string snap_dir = staging + "/member/snap";
  // Private, as etcd creates them (it warns about anything wider).
  for (const std::string& dir : {staging, staging + "/member", snap_dir}) {
    fs::create_directory(dir, error);
    if (!error) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, error);
    if (error) return IoError(dir + ": " + error.message());
  }
  const std::string db = snap_dir + "/db";
  if (backend.empty()) {
    KETCD_RETURN_IF_ERROR(CopyBackend(snapshot.file().db, db, edits));
    backend = fs::absolute(data_dir + "/member/snap/db").string();
  } else {
    KETCD_RETURN_IF_ERROR(CopyFileDurably(backend, db, 0600));
  }
  KETCD_RETURN_IF_ERROR(WriteSnapFile(snap_dir, RaftSnapshotOf(members)));
  KETCD_RETURN_IF_ERROR(WriteInitialWal(wal_dir.empty() ? staging + "/member/wal" : wal_dir,
                                        WalOf(members, cluster_id, self.id)));
  // The data dir appears only complete: its files are synced already, then
  // the directories that name member/snap and member.
  KETCD_RETURN_IF_ERROR(SyncDirectoryOf(staging + "/member/snap"));
  KETCD_RETURN_IF_ERROR(SyncDirectoryOf(staging + "/member"));
  if (Status checked = snapshot.TrailerChecked(); !checked.ok()) {
    fs::remove_all(staging, error);
    return checked;
  }
  return RenameDurably(staging, data_dir);
}

struct Cluster {
  std::vector<Member> members;
  uint64_t cluster_id;
};

Result<Cluster> ClusterOf(const RestoreOptions& options) {
  // etcdutl 3.5's rule: a bumped revision must be marked compacted, and
  // only a bumped one.
  if (options.bump_revision < 0) return InvalidArgument("--bump-revision must not be negative");
  if ((options.bump_revision > 0) != options.mark_compacted) {
    return InvalidArgument("--mark-compacted is required with --bump-revision > 0, and only then");
  }
  if (!options.target_version.empty() && !ParseEtcdVersion(options.target_version)) {
    return InvalidArgument("--target-version " + options.target_version +
                           ": expected an etcd version such as 3.6");
  }
  auto members =
      MembersOf(options.initial_cluster, options.initial_cluster_token, options.learners);
  if (!members.ok()) return members.status();
  std::vector<uint64_t> ids;
  for (const auto& member : *members) ids.push_back(member.id);
  return Cluster{std::move(*members), cluster::ClusterId(ids)};
}

}  // namespace

Result<RestoreResult> RestoreMember(const RestoreOptions& options) {
  auto cluster = ClusterOf(options);
  if (!cluster.ok()) return cluster.status();
  auto self = std::find_if(cluster->members.begin(), cluster->members.end(),
                           [&](const Member& m) { return m.name == options.name; });
  if (self == cluster->members.end()) {
    return InvalidArgument("--name " + options.name + " is not a member of --initial-cluster");
  }
  std::vector<std::string> advertised = options.initial_advertise_peer_urls;
  std::sort(advertised.begin(), advertised.end());
  if (advertised != self->peer_urls) {
    return InvalidArgument("--initial-advertise-peer-urls do not match the peer URLs "
                           "--initial-cluster gives " + options.name);
  }
  const std::string data_dir = options.data_dir.empty() ? options.name + ".etcd" : options.data_dir;
  KETCD_RETURN_IF_ERROR(RefuseExisting(data_dir, "data dir"));
  if (!options.wal_dir.empty()) KETCD_RETURN_IF_ERROR(RefuseExisting(options.wal_dir, "WAL dir"));
  auto snapshot = VerifiedSnapshot::Open(options);
  if (!snapshot.ok()) return snapshot.status();
  RestoreResult result;
  result.cluster_id = cluster->cluster_id;
  result.members.push_back({*self, data_dir});
  BackendEdits edits;
  KETCD_RETURN_IF_ERROR(EditsFor(cluster->members, (*snapshot)->file().db, options, result, edits));
  std::string backend;
  KETCD_RETURN_IF_ERROR(WriteMember(**snapshot, edits, cluster->members, cluster->cluster_id, *self,
                                    data_dir, options.wal_dir, backend));
  return result;
}

Result<RestoreResult> RestoreAllMembers(const RestoreOptions& options,
                                        const std::string& output_dir) {
  auto cluster = ClusterOf(options);
  if (!cluster.ok()) return cluster.status();
  RestoreResult result;
  result.cluster_id = cluster->cluster_id;
  for (const auto& member : cluster->members) {
    const std::string data_dir = output_dir + "/" + member.name + ".etcd";
    KETCD_RETURN_IF_ERROR(RefuseExisting(data_dir, "data dir"));
    result.members.push_back({member, data_dir});
  }
  auto snapshot = VerifiedSnapshot::Open(options);
  if (!snapshot.ok()) return snapshot.status();
  BackendEdits edits;
  KETCD_RETURN_IF_ERROR(EditsFor(cluster->members, (*snapshot)->file().db, options, result, edits));
  std::error_code error;
  fs::create_directories(output_dir, error);
  if (error) return IoError(output_dir + ": " + error.message());
  // The first member's backend is written from the snapshot; the others
  // copy that finished file (in the kernel), all at once.
  std::string backend;
  KETCD_RETURN_IF_ERROR(WriteMember(**snapshot, edits, cluster->members, cluster->cluster_id,
                                    result.members.front().member, result.members.front().data_dir,
                                    "", backend));
  std::vector<std::future<Status>> copies;
  for (size_t i = 1; i < result.members.size(); ++i) {
    copies.push_back(std::async(std::launch::async, [&, i, backend] {
      std::string finished = backend;
      return WriteMember(**snapshot, edits, cluster->members, cluster->cluster_id,
                         result.members[i].member, result.members[i].data_dir, "", finished);
    }));
  }
  Status status = Status::Ok();
  for (auto& copy : copies) {
    Status copied = copy.get();
    if (status.ok()) status = copied;
  }
  if (!status.ok()) return status;
  return result;
}

}  // namespace ketcd::restore
