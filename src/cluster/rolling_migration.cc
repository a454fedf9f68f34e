#include "cluster/rolling_migration.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "cluster/health.h"
#include "cluster/host_command.h"
#include "cluster/membership_steps.h"
#include "snapshot/save.h"
#include "util/crash_point.h"
#include "util/hex_id.h"
#include "util/durable_file.h"
#include "util/read_file.h"

namespace ketcd::cluster {
namespace {

using Json = nlohmann::json;

struct State {
  std::vector<NewHost> to;
  bool backup_done = false;
  std::vector<MigrationStep> steps;
};

Json ToJson(const State& state) {
  Json to = Json::array(), steps = Json::array();
  for (const NewHost& host : state.to) {
    to.push_back({{"name", host.name}, {"peer_url", host.peer_url}, {"client_url", host.client_url}});
  }
  for (const MigrationStep& step : state.steps) {
    steps.push_back({{"old_name", step.old_name}, {"old_id", HexId(step.old_id)}, {"new_name", step.new_name},
                     {"new_id", HexId(step.new_id)}, {"done", step.done}});
  }
  return {{"ketcd", "cluster-migration"}, {"version", 1}, {"to", to}, {"backup_done", state.backup_done},
          {"steps", steps}};
}

// The state file may have been damaged or edited between runs: any field
// of the wrong type or an ID that is not hex is kDataLoss, never an
// exception out of the resume.
Result<State> ReadState(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  const Json json = Json::parse(*text, nullptr, false);
  const auto damaged = [&path] { return DataLoss(path + ": not a ketcd cluster migration state file (damaged?)"); };
  if (json.is_discarded() || !json.is_object() || json.value("ketcd", Json()) != "cluster-migration") return damaged();
  try {
    State state;
    state.backup_done = json.value("backup_done", false);
    for (const Json& host : json.value("to", Json::array())) {
      state.to.push_back({host.at("name").get<std::string>(), host.at("peer_url").get<std::string>(),
                          host.at("client_url").get<std::string>()});
    }
    for (const Json& step : json.value("steps", Json::array())) {
      MigrationStep parsed{step.value("old_name", ""), step.value("new_name", ""), 0, 0, step.value("done", "")};
      for (auto [key, id] : {std::pair{"old_id", &parsed.old_id}, {"new_id", &parsed.new_id}}) {
        const std::string hex = step.value(key, "0");
        if (hex.empty() || hex.size() > 16 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
          return damaged();
        }
        *id = std::stoull(hex, nullptr, 16);
      }
      state.steps.push_back(parsed);
    }
    return state;
  } catch (const Json::exception&) {  // a field of another type than ketcd writes
    return damaged();
  }
}

// Replaces the state file atomically: a crash leaves the old or the new one.
Status SaveState(const std::string& path, const State& state) {
  KETCD_RETURN_IF_ERROR(WriteFileDurably(path, ToJson(state).dump(2) + "\n", 0600, DurableFile::Existing::kReplace));
  CrashPoint();
  return Status::Ok();
}

bool SameHosts(const std::vector<NewHost>& a, const std::vector<NewHost>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].peer_url != b[i].peer_url || a[i].client_url != b[i].client_url) return false;
  }
  return true;
}

Result<State> PlanState(const etcd::ConnectionConfig& config, const RollingMigrationRequest& request, bool* resumed) {
  if (request.state_path.empty()) return InvalidArgument("a state file is needed (--state)");
  if (std::filesystem::exists(request.state_path)) {
    auto state = ReadState(request.state_path);
    if (!state.ok()) return state.status();
    if (!SameHosts(state->to, request.to)) {
      return InvalidArgument(request.state_path + " belongs to a migration to other hosts; give another --state");
    }
    *resumed = true;
    return state;
  }
  auto health = CheckClusterHealth(config, {});
  if (!health.ok()) return health.status();
  if (!health->problems.empty()) return Failed("the cluster is not healthy: " + health->problems.front());
  std::vector<const MemberHealth*> voters;
  std::set<std::string> names, peer_urls;
  for (const MemberHealth& member : health->members) {
    if (member.learner) {
      return Failed("member " + (member.name.empty() ? HexId(member.id) : member.name) +
                    " is a learner: promote or remove it before migrating");
    }
    voters.push_back(&member);
    names.insert(member.name);
    peer_urls.insert(member.peer_urls.begin(), member.peer_urls.end());
  }
  if (request.to.size() != voters.size()) {
    return InvalidArgument(std::to_string(request.to.size()) + " new host(s) given for " +
                           std::to_string(voters.size()) + " members: give one per member");
  }
  for (const NewHost& host : request.to) {
    if (!IsSafeMemberName(host.name)) return InvalidArgument("member name \"" + host.name + "\": use letters, digits, . - _");
    if (!names.insert(host.name).second) return InvalidArgument("member name " + host.name + " is used twice or already");
    if (!peer_urls.insert(host.peer_url).second) return InvalidArgument("peer URL " + host.peer_url + " is in use already");
    if (host.client_url.empty()) return InvalidArgument(host.name + ": no client URL");
  }
  // Non-leaders first (by name), the leader last.
  std::stable_sort(voters.begin(), voters.end(), [&](const MemberHealth* a, const MemberHealth* b) {
    const bool a_leads = a->id == health->leader_id, b_leads = b->id == health->leader_id;
    return a_leads != b_leads ? b_leads : a->name < b->name;
  });
  State state;
  state.to = request.to;
  for (size_t i = 0; i < voters.size(); ++i) {
    state.steps.push_back({voters[i]->name, request.to[i].name, voters[i]->id, 0, ""});
  }
  return state;
}

class Migration {
 public:
  Migration(const etcd::ConnectionConfig& config, const RollingMigrationRequest& request,
            const std::function<void(const std::string&)>& say)
      : config_(config), request_(request), say_(say) {
    // Reach the cluster through the new members too, once the old are gone.
    for (const NewHost& host : request.to) config_.endpoints.push_back(host.client_url);
  }

  Result<std::vector<std::string>> Run() {
    bool resumed = false;
    auto state = PlanState(config_, request_, &resumed);
    if (!state.ok()) return state.status();
    state_ = std::move(*state);
    if (resumed) say_("resuming from " + request_.state_path);
    auto client = etcd::EtcdClient::Create(config_);
    if (!client.ok()) return client.status();
    client_ = std::move(*client);
    KETCD_RETURN_IF_ERROR(Save());
    if (!request_.backup_path.empty() && !state_.backup_done) {
      say_("saving a snapshot to " + request_.backup_path);
      auto member = snapshot::PickSnapshotMember(*client_);
      if (!member.ok()) return member.status();
      auto saved = snapshot::SaveSnapshot(*client_, *member, request_.backup_path, nullptr);
      if (!saved.ok()) return saved.status().WithContext("snapshot before migrating");
      state_.backup_done = true;
      KETCD_RETURN_IF_ERROR(Save());
    }
    for (size_t i = 0; i < state_.steps.size(); ++i) {
      KETCD_RETURN_IF_ERROR(Migrate(state_.steps[i], request_.to[i]));
    }
    KETCD_RETURN_IF_ERROR(WaitHealthy(config_, Deadline()).status());
    std::vector<std::string> urls;
    for (const NewHost& host : request_.to) urls.push_back(host.client_url);
    return urls;
  }

 private:
  Clock::time_point Deadline() const { return Clock::now() + request_.wait; }
  Status Save() { return SaveState(request_.state_path, state_); }

  // Before every membership change: a healthy cluster, or stop here.
  // Returns the healthy report it waited for.
  Result<HealthReport> Gate(const std::string& before) {
    auto healthy = WaitHealthy(config_, Clock::now() + request_.gate_wait);
    if (healthy.ok()) return healthy;
    return Failed("stopped before " + before + ": " + healthy.status().message() +
                  ". No further membership change was made; once the cluster is healthy, run the same command "
                  "to resume from " + request_.state_path);
  }

  Status RunTemplate(const std::string& command_template, const NewHost& host, const std::string& initial_cluster) {
    auto command = ExpandCommand(command_template, {{"name", host.name}, {"peer_url", host.peer_url},
                                                    {"client_url", host.client_url},
                                                    {"initial_cluster", initial_cluster},
                                                    {"initial_cluster_state", "existing"}});
    if (!command.ok()) return command.status();
    return RunHostCommand(*command);
  }

  // Takes the learner out again and leaves the cluster as it was.
  Status RollBack(MigrationStep& step, const NewHost& host, const Status& why) {
    say_("rolling back: removing " + host.name);
    Status removed = RemoveMember(*client_, step.new_id, Deadline());
    if (!request_.stop_command.empty()) (void)RunTemplate(request_.stop_command, host, "");
    if (!removed.ok()) {
      return Failed(why.message() + "; rolling back failed too: " + removed.message() + " (remove member " +
                    HexId(step.new_id) + " by hand)");
    }
    step.new_id = 0;
    step.done = "";
    KETCD_RETURN_IF_ERROR(Save());
    return Failed(why.message() + "; rolled back: " + host.name + " removed, the cluster keeps its members");
  }

  Status Migrate(MigrationStep& step, const NewHost& host) {
    if (step.done == "stopped") return Status::Ok();
    say_("migrating " + step.old_name + " -> " + host.name);
    if (step.done.empty()) {
      KETCD_RETURN_IF_ERROR(Gate("adding " + host.name).status());
      uint64_t id = 0;  // added already, before a crash?
      auto list = client_->MemberList();
      if (!list.ok()) return list.status();
      for (const auto& member : list->members()) {
        for (const auto& url : member.peerurls()) {
          if (url == host.peer_url) id = member.id();
        }
      }
      if (id == 0) {
        say_("adding " + host.name + " (" + host.peer_url + ") as a learner");
        auto added = AddLearner(*client_, host.peer_url, Deadline());
        if (!added.ok()) return added.status();
        id = *added;
      }
      step.new_id = id;
      step.done = "added";
      KETCD_RETURN_IF_ERROR(Save());
    }
    if (step.done == "added") {
      auto initial_cluster = InitialClusterWith(*client_, step.new_id, host.name);
      if (!initial_cluster.ok()) return initial_cluster.status();
      auto started = FindMember(*client_, host.name);
      if (!started.ok()) {  // not named yet: not started
        if (request_.start_command.empty()) {
          say_("start " + host.name + " now: --name=" + host.name + " --initial-cluster=" + *initial_cluster +
               " --initial-cluster-state=existing (waiting up to " + std::to_string(request_.wait.count()) + " s)");
        } else {
          say_("starting " + host.name);
          Status run = RunTemplate(request_.start_command, host, *initial_cluster);
          if (!run.ok()) return RollBack(step, host, run);
        }
      }
      say_("waiting for " + host.name + " to catch up");
      Status caught_up = WaitCaughtUp(config_, step.new_id, request_.max_lag, Deadline());
      if (!caught_up.ok()) return RollBack(step, host, caught_up);
      step.done = "started";
      KETCD_RETURN_IF_ERROR(Save());
    }
    if (step.done == "started") {
      KETCD_RETURN_IF_ERROR(Gate("promoting " + host.name).status());
      say_("promoting " + host.name);
      KETCD_RETURN_IF_ERROR(PromoteLearner(*client_, step.new_id, Deadline()));
      step.done = "promoted";
      KETCD_RETURN_IF_ERROR(Save());
    }
    if (step.done == "promoted") {
      auto health = Gate("removing " + step.old_name);
      if (!health.ok()) return health.status();
      if (health->leader_id == step.old_id) {
        say_("moving leadership from " + step.old_name + " to " + host.name);
        KETCD_RETURN_IF_ERROR(MoveLeadership(config_, step.old_id, step.new_id));
      }
      say_("removing " + step.old_name);
      std::vector<std::string> old_urls;
      for (const MemberHealth& member : health->members) {
        if (member.id == step.old_id) old_urls = member.client_urls;
      }
      KETCD_RETURN_IF_ERROR(RemoveMember(*client_, step.old_id, Deadline()));
      // Later steps need not dial it (each dead endpoint costs a timeout).
      std::erase_if(config_.endpoints, [&](const std::string& url) {
        return std::find(old_urls.begin(), old_urls.end(), url) != old_urls.end();
      });
      step.done = "removed";
      KETCD_RETURN_IF_ERROR(Save());
    }
    if (step.done == "removed") {
      if (!request_.stop_command.empty()) {
        say_("stopping " + step.old_name);
        Status stopped = RunTemplate(request_.stop_command, {step.old_name, "", ""}, "");
        if (!stopped.ok()) say_("warning: " + stopped.message() + " (it is no longer a member; stop it by hand)");
      } else {
        say_("stop " + step.old_name + " on its host now (it is no longer a member)");
      }
      step.done = "stopped";
      KETCD_RETURN_IF_ERROR(Save());
    }
    return Status::Ok();
  }

  etcd::ConnectionConfig config_;
  const RollingMigrationRequest& request_;
  const std::function<void(const std::string&)>& say_;
  std::unique_ptr<etcd::EtcdClient> client_;
  State state_;
};

}  // namespace

Result<RollingMigrationPlan> PlanRollingMigration(const etcd::ConnectionConfig& config,
                                                  const RollingMigrationRequest& request) {
  bool resumed = false;
  auto state = PlanState(config, request, &resumed);
  if (!state.ok()) return state.status();
  return RollingMigrationPlan{state->steps, resumed};
}

Result<std::vector<std::string>> RunRollingMigration(const etcd::ConnectionConfig& config,
                                                     const RollingMigrationRequest& request,
                                                     const std::function<void(const std::string&)>& say) {
  return Migration(config, request, say).Run();
}

}  // namespace ketcd::cluster
