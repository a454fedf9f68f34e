// ketcd cluster recover --from DIR...: a new cluster from the freshest
// survivor of a quorum loss (datadir/recover.h), and the steps that grow it
// back to its old size.
#include <CLI/CLI.hpp>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "cli/snapshot_restore.h"
#include "datadir/recover.h"
#include "util/hex_id.h"
#include "util/string_building.h"

namespace ketcd::cli {
namespace {

struct RecoverArgs {
  std::vector<std::string> from;
  bool committed_only = false;
  RestoreArgs restore;
  RecoverArgs() {
    restore.options.bump_revision = datadir::kRecoveryBump;
    restore.options.mark_compacted = true;
  }
};

// The old members besides the survivor, by name (or ID when unnamed).
std::string OtherMembers(const datadir::DataDirReport& source) {
  const auto& known = source.membership.backend_members.empty() ? source.membership.raft_members
                                                                : source.membership.backend_members;
  std::string names;
  for (const auto& [id, name] : known) {
    if (id != source.member_id) AppendToList(names, name.empty() ? HexId(id) : name, ", ");
  }
  return names;
}

void PrintGrowBack(std::ostream& out, const datadir::RecoverResult& result) {
  const restore::RestoredMember& first = result.restored.members.front();
  const std::string url = first.member.peer_urls.empty() ? "" : first.member.peer_urls.front();
  const std::string others = OtherMembers(result.source);
  out << "\nNext steps:\n"
      << "  1. Start etcd on " << first.member.name << " from " << first.data_dir
      << " as a new cluster of one:\n"
      << "       --name " << first.member.name << " --data-dir <that dir> --initial-cluster " << first.member.name
      << "=" << url << " --initial-cluster-state new\n"
      << "     (kubeadm: move it to the etcd manifest's data dir, /var/lib/etcd, and set those flags in\n"
      << "     /etc/kubernetes/manifests/etcd.yaml; the kubelet starts it.) Check: ketcd cluster health\n"
      << "  2. For each other member, one at a time"
      << (others.empty() ? "" : " (the old cluster also had: " + others + ")")
      << ":\n"
      << "       stop its etcd and move its old data dir away (it belongs to the old cluster);\n"
      << "       ketcd member add NAME --peer-urls PEER_URL --learner   (again after a few seconds if etcd\n"
      << "         answers \"unhealthy cluster\": it refuses changes just after a member connects)\n"
      << "       start its etcd with an empty data dir and the ETCD_INITIAL_* values that prints\n"
      << "       (--initial-cluster-state existing);\n"
      << "       ketcd member promote NAME   (etcd accepts it once the learner has caught up)\n"
      << "  3. ketcd cluster health: every member started, one leader, no alarm.\n";
}

Status Recover(CommandContext& context, const RecoverArgs& args) {
  auto options = RestoreOptionsOf(context, args.restore);
  if (!options.ok()) return options.status();
  if (options->bump_revision == 0) options->mark_compacted = false;  // --bump-revision 0: neither
  datadir::RecoverRequest request;
  request.from = args.from;
  request.restore = *options;
  if (args.restore.all_members) request.all_members_dir = args.restore.output_dir;
  request.committed_only = args.committed_only;
  auto result = datadir::Recover(request);
  if (!result.ok()) return result.status();
  const datadir::RecoverResult& r = *result;
  if (IsStructured(context.format)) {
    PrintDocument(*context.out,
                  {{"source", r.source.dir},
                   {"why", r.why},
                   {"appliedIndex", r.source.consistent_index},
                   {"commitIndex", r.commit_index},
                   {"entries", r.counts.entries},
                   {"requestsApplied", r.counts.requests},
                   {"requestsRefused", r.counts.refused},
                   {"entriesNotApplied", r.counts.not_applied},
                   {"pastCommitIndex", r.past_commit},
                   {"pastCommitIndexDropped", args.committed_only},
                   {"dbRevision", r.db_revision},
                   {"revision", r.revision},
                   {"bumpRevision", options->bump_revision}},
                  context.format);
    return Status::Ok();
  }
  std::ostream& out = *context.out;
  out << "Recovering from " << r.source.dir << " (member " << (r.source.member_name.empty() ? "?" : r.source.member_name)
      << " " << HexId(r.source.member_id) << " of cluster " << HexId(r.source.cluster_id) << ")\n  " << r.why << "\n"
      << "Entries after its db's applied index " << r.source.consistent_index << " (saved commit index "
      << r.commit_index << "): "
      << r.counts.entries << " read, " << r.counts.requests << " request(s) applied, " << r.counts.refused
      << " refused as etcd refused them, " << r.counts.not_applied
      << " not applied (membership, v2, compaction, alarms, no-ops)";
  if (r.past_commit > 0) {
    out << "; " << r.past_commit << " of them past the saved commit index "
        << (args.committed_only ? "dropped (--committed-only)" : "taken, as this member would commit them as leader");
  }
  out << "\nRevision " << r.db_revision << " in the db, " << r.revision << " after those entries";
  if (options->bump_revision > 0) out << "; bumped by " << options->bump_revision << " and marked compacted";
  out << "\n";
  PrintRestored(context, r.source.dir, *options, r.restored);
  if (!args.restore.all_members) PrintGrowBack(out, r);
  return Status::Ok();
}

}  // namespace

void AddRecoverCommand(CLI::App& cluster_app, CommandContext& context) {
  AddCommand<RecoverArgs>(cluster_app, context, "recover",
                          "After a quorum loss: a new cluster from the freshest stopped member's data dir, with the "
                          "committed entries its db lacks applied (revision bumped by 1e9 and marked compacted unless "
                          "--bump-revision 0)",
                          [](CLI::App& recover, RecoverArgs& args) {
                            recover.add_option("--from", args.from,
                                               "A stopped member's data dir (repeat for several: the freshest "
                                               "usable one is taken)")
                                ->required();
                            recover.add_flag("--committed-only", args.committed_only,
                                             "Drop the log's entries past its saved commit index, as etcd's "
                                             "--force-new-cluster does (default: take them, as the member would "
                                             "commit them as leader; etcd saves that index lazily)");
                            AddRestoreOptions(&recover, args.restore);
                          },
                          Recover);
}

}  // namespace ketcd::cli
