#include "backup/chain_check.h"

#include "restore/restore.h"
#include "snapshot/keyspace_diff.h"
#include "snapshot/offline_keyspace.h"
#include "util/private_dir.h"
#include "util/sha256.h"

namespace ketcd::backup {
namespace {

std::string Digest(const mvccpb::KeyValue& kv) {
  Sha256 sha256;
  sha256.Update(kv.SerializeAsString());
  return sha256.Finish();
}

}  // namespace

void ChainEffects::Record(const DeltaRevision& revision) {
  for (const mvccpb::Event& event : revision.events) {
    if (event.type() == mvccpb::Event::DELETE) {
      last_[event.kv().key()] = std::nullopt;
    } else {
      last_[event.kv().key()] = Digest(event.kv());
    }
  }
}

Status ChainEffects::CheckSnapshot(const std::string& path, int64_t base_revision, int64_t revision) const {
  auto keyspace = snapshot::OfflineKeyspace::Open(path);
  if (!keyspace.ok()) return keyspace.status();
  const std::string span = " between revisions " + std::to_string(base_revision) + " and " + std::to_string(revision);
  snapshot::AtRevision before(**keyspace, base_revision), after(**keyspace, revision);
  KETCD_RETURN_IF_ERROR(snapshot::DiffKeyspaces(before, after, "", [&](const snapshot::KeyDifference& difference) {
    const std::string& key = (difference.after ? difference.after : difference.before)->key();
    if (last_.count(key)) return Status::Ok();
    return DataLoss(path + ": key " + key + " changed" + span + " without an event of the chain");
  }));
  for (const auto& [key, expected] : last_) {
    etcd::pb::RangeRequest request;
    request.set_key(key);
    auto found = after.Range(request);
    if (!found.ok()) return found.status();
    const bool live = found->kvs_size() == 1;
    if (live != expected.has_value() || (live && Digest(found->kvs(0)) != *expected)) {
      return DataLoss(path + ": key " + key + " at revision " + std::to_string(revision) + " is " +
                      (live ? "not what the chain's last event for it wrote" : "missing") +
                      (expected ? "" : " (the chain deleted it)"));
    }
  }
  return Status::Ok();
}

Result<CheckedSnapshot> WriteCheckedSnapshot(const BackupConfig& config, const Chain& chain, int64_t revision,
                                             const std::string& path,
                                             const std::function<void(const std::string&)>& say) {
  ChainEffects effects;
  auto note = [&effects](const DeltaRevision& applied) {
    effects.Record(applied);
    return Status::Ok();
  };
  RestorePoint point{RestorePoint::Kind::kRevision, revision, 0};
  auto built = WriteChainSnapshot(config, chain, point, path, say, note);
  if (!built.ok()) return built.status();
  KETCD_RETURN_IF_ERROR(effects.CheckSnapshot(path, chain.full.manifest.revision, revision));
  say("checked: " + std::to_string(effects.keys()) + " key(s) as the chain's events left them, every other key as " +
      chain.full.manifest.name + " holds it");
  return CheckedSnapshot{std::move(*built), effects.keys()};
}

Result<CheckedSnapshot> VerifyChain(const BackupConfig& config, const Chain& chain,
                                    const std::function<void(const std::string&)>& say) {
  const std::string& name = chain.full.manifest.name;
  if (chain.detached > 0) {
    return DataLoss(name + " in " + chain.full.destination + ": " + std::to_string(chain.detached) +
                    " segment(s) cannot be reached: none starts at revision " + std::to_string(chain.last_revision + 1) +
                    " (missing or damaged); the chain restores up to revision " + std::to_string(chain.last_revision));
  }
  PrivateDir scratch(config.work_dir);
  if (scratch.path().empty()) return IoError("cannot create a private directory");
  restore::RestoreOptions options;
  options.snapshot_path = scratch.path() + "/chain.db";
  options.data_dir = scratch.path() + "/restored.etcd";
  auto checked = WriteCheckedSnapshot(config, chain, chain.last_revision, options.snapshot_path, say);
  if (!checked.ok()) return checked.status();
  auto restored = restore::RestoreMember(options);
  if (!restored.ok()) return restored.status().WithContext(name + " at revision " + std::to_string(chain.last_revision));
  return checked;
}

}  // namespace ketcd::backup
