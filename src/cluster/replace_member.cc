#include "cluster/replace_member.h"

#include "cluster/health.h"
#include "cluster/host_command.h"
#include "cluster/membership_steps.h"
#include "snapshot/save.h"
#include "util/hex_id.h"

namespace ketcd::cluster {
namespace {

struct Situation {
  std::unique_ptr<etcd::EtcdClient> client;
  etcd::pb::Member old_member;
  HealthReport health;
  const MemberHealth* old_health = nullptr;
  std::string new_name;
};

Result<Situation> Examine(const etcd::ConnectionConfig& config, const ReplaceRequest& request, ReplacePlan& plan) {
  Situation s;
  auto client = etcd::EtcdClient::Create(config);
  if (!client.ok()) return client.status();
  KETCD_RETURN_IF_ERROR((*client)->Connect());
  s.client = std::move(*client);
  auto old_member = FindMember(*s.client, request.member);
  if (!old_member.ok()) return old_member.status();
  s.old_member = *old_member;
  s.new_name = request.new_name.empty() ? s.old_member.name() : request.new_name;
  if (!IsSafeMemberName(s.new_name)) return InvalidArgument("member name \"" + s.new_name + "\": use letters, digits, . - _");
  if (request.peer_url.empty() || request.client_url.empty()) return InvalidArgument("--peer-url and --client-url are required");
  auto health = CheckClusterHealth(config, {});
  if (!health.ok()) return health.status();
  s.health = std::move(*health);
  int voters_after = 0, healthy_after = 0;
  for (const MemberHealth& member : s.health.members) {
    if (member.id == s.old_member.id()) {
      s.old_health = &member;
      continue;
    }
    for (const std::string& url : member.peer_urls) {
      if (url == request.peer_url) {
        return InvalidArgument(request.peer_url + " is the peer URL of member " + member.name + " already");
      }
    }
    if (member.learner) continue;
    ++voters_after;
    if (member.reachable()) ++healthy_after;
  }
  const int quorum_after = voters_after / 2 + 1;
  if (healthy_after < quorum_after) {
    return Failed("removing " + s.old_member.name() + " would leave " + std::to_string(healthy_after) + " of " +
                  std::to_string(voters_after) + " voting members healthy; quorum needs " +
                  std::to_string(quorum_after) + ". Bring members back first (or restore from a snapshot)");
  }
  if (s.old_health != nullptr && s.old_health->reachable()) {
    plan.warnings.push_back(s.old_member.name() + " is healthy and answering; it will be removed anyway");
  }
  const std::string old_label = s.old_member.name() + " (" + HexId(s.old_member.id()) + ")";
  if (!request.backup_path.empty()) plan.steps.push_back("save a snapshot to " + request.backup_path);
  if (s.health.leader_id == s.old_member.id()) plan.steps.push_back("move leadership away from " + old_label);
  plan.steps.push_back("remove member " + old_label);
  plan.steps.push_back("add " + s.new_name + " (" + request.peer_url + ") as a learner");
  plan.steps.push_back(request.start_command.empty() ? "wait for the operator to start " + s.new_name
                                                     : "start " + s.new_name + " with --start-cmd");
  plan.steps.push_back("wait until " + s.new_name + " has caught up, then promote it to a voting member");
  plan.steps.push_back("wait until the cluster is healthy");
  return s;
}

}  // namespace

Result<ReplacePlan> PlanReplaceMember(const etcd::ConnectionConfig& config, const ReplaceRequest& request) {
  ReplacePlan plan;
  auto situation = Examine(config, request, plan);
  if (!situation.ok()) return situation.status();
  return plan;
}

Result<JoiningMember> ReplaceMember(const etcd::ConnectionConfig& config, const ReplaceRequest& request,
                                    const ReplaceHooks& hooks) {
  ReplacePlan plan;
  auto situation = Examine(config, request, plan);
  if (!situation.ok()) return situation.status();
  Situation& s = *situation;
  etcd::EtcdClient& client = *s.client;
  const auto deadline = [&] { return Clock::now() + request.wait; };
  for (const std::string& warning : plan.warnings) hooks.say("warning: " + warning);

  if (!request.backup_path.empty()) {
    hooks.say("saving a snapshot to " + request.backup_path);
    auto member = snapshot::PickSnapshotMember(client);
    if (!member.ok()) return member.status();
    auto saved = snapshot::SaveSnapshot(client, *member, request.backup_path, nullptr);
    if (!saved.ok()) return saved.status().WithContext("snapshot before changing membership");
  }
  if (s.health.leader_id == s.old_member.id()) {
    for (const MemberHealth& member : s.health.members) {
      if (member.id == s.old_member.id() || member.learner || !member.reachable()) continue;
      hooks.say("moving leadership from " + s.old_member.name() + " to " + member.name);
      KETCD_RETURN_IF_ERROR(MoveLeadership(config, s.old_member.id(), member.id));
      break;
    }
  }
  hooks.say("removing member " + s.old_member.name() + " (" + HexId(s.old_member.id()) + ")");
  KETCD_RETURN_IF_ERROR(RemoveMember(client, s.old_member.id(), deadline()));
  hooks.say("adding " + s.new_name + " (" + request.peer_url + ") as a learner");
  auto new_id = AddLearner(client, request.peer_url, deadline());
  if (!new_id.ok()) return new_id.status().WithContext("member add (the old member is removed already)");
  auto initial_cluster = InitialClusterWith(client, *new_id, s.new_name);
  if (!initial_cluster.ok()) return initial_cluster.status();
  JoiningMember joining{s.new_name, request.peer_url, request.client_url, *initial_cluster, request.data_dir, ""};
  if (hooks.member_added) KETCD_RETURN_IF_ERROR(hooks.member_added(joining));

  if (!request.start_command.empty()) {
    auto command = ExpandCommand(request.start_command,
                                 {{"name", joining.name}, {"peer_url", joining.peer_url},
                                  {"client_url", joining.client_url}, {"initial_cluster", joining.initial_cluster},
                                  {"initial_cluster_state", "existing"}});
    if (!command.ok()) return command.status();
    hooks.say("starting " + joining.name + ": " + *command);
    KETCD_RETURN_IF_ERROR(RunHostCommand(*command));
  } else {
    hooks.say("start " + joining.name + " on its host now with the flags above; waiting up to " +
              std::to_string(request.wait.count()) + " s");
  }
  hooks.say("waiting for " + joining.name + " to catch up");
  Status caught_up = WaitCaughtUp(config, *new_id, request.max_lag, deadline());
  if (!caught_up.ok()) {
    return caught_up.WithContext(joining.name + " stays a learner (not voting); fix it and promote it with "
                                 "`ketcd member promote " + HexId(*new_id) + "`, or remove it");
  }
  hooks.say("promoting " + joining.name + " to a voting member");
  KETCD_RETURN_IF_ERROR(PromoteLearner(client, *new_id, deadline()));
  hooks.say("waiting for the cluster to be healthy");
  KETCD_RETURN_IF_ERROR(WaitHealthy(config, deadline()).status());
  return joining;
}

}  // namespace ketcd::cluster
