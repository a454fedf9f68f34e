// ketcd move-leader, defrag, alarm list|disarm, compact.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "datadir/defrag.h"
#include "etcd/member_lookup.h"

namespace ketcd::cli {
namespace {

struct MoveLeaderArgs {
  std::string target;  // hex ID or name
};

Status MoveLeader(CommandContext& context, const MoveLeaderArgs& args) {
  const std::string& target_ref = args.target;
  auto client = context.Client();
  if (!client.ok()) return client.status();
  auto members = (*client)->MemberList();
  if (!members.ok()) return members.status();
  auto target = etcd::ResolveMemberId(*members, target_ref);
  if (!target.ok()) return target.status();
  auto leader_endpoint = (*client)->FindLeaderEndpoint();
  if (!leader_endpoint.ok()) return leader_endpoint.status();
  auto leader_status = (*client)->EndpointStatus(*leader_endpoint);
  if (!leader_status.ok()) return leader_status.status();
  if (leader_status->leader() == *target) {
    return Failed("member " + HexId(*target) + " is already the leader");
  }
  auto moved = (*client)->MoveLeader(*leader_endpoint, *target);
  if (!moved.ok()) return moved.status();
  *context.out << "Leadership transferred from " << HexId(leader_status->leader()) << " to "
               << HexId(*target) << "\n";
  return Status::Ok();
}

struct DefragArgs {
  bool cluster = false;  // every member in the member list
  std::string data_dir;  // offline: a stopped member's
};

Status DefragmentOffline(CommandContext& context, const std::string& data_dir) {
  const auto start = std::chrono::steady_clock::now();
  auto result = datadir::DefragDataDir(data_dir);
  if (!result.ok()) return result.status();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char took[32];
  std::snprintf(took, sizeof(took), "%.1f s", seconds);
  *context.out << "Defragmented " << result->db_path << ": "
               << HumanBytes(static_cast<uint64_t>(result->bytes_before)) << " -> "
               << HumanBytes(static_cast<uint64_t>(result->bytes_after)) << " in " << took << "\n";
  return Status::Ok();
}

Status Defragment(CommandContext& context, const DefragArgs& args) {
  if (!args.data_dir.empty()) {
    if (args.cluster) return InvalidArgument("--data-dir defragments one stopped member: not with --cluster");
    return DefragmentOffline(context, args.data_dir);
  }
  const bool whole_cluster = args.cluster;
  auto clients = context.ClientPerEndpoint(whole_cluster);
  if (!clients.ok()) return clients.status();
  size_t failed = 0;
  // One member at a time: defragmenting blocks the member, and doing all at
  // once would stall the whole cluster.
  for (auto& client : *clients) {
    const std::string& endpoint = client->endpoints()[0].text;
    auto response = client->Defragment(0);
    if (response.ok()) {
      *context.out << "Finished defragmenting etcd member[" << endpoint << "]\n";
    } else {
      ++failed;
      *context.err << "failed to defragment etcd member[" << endpoint
                << "]: " << response.status().message() << "\n";
    }
  }
  if (failed == 0) return Status::Ok();
  return Failed(std::to_string(failed) + " of " + std::to_string(clients->size()) +
                " members not defragmented");
}

Result<etcd::pb::AlarmResponse> ListAlarms(etcd::EtcdClient& client) {
  etcd::pb::AlarmRequest request;
  request.set_action(etcd::pb::AlarmRequest::GET);
  return client.Alarm(request);
}

void PrintAlarms(CommandContext& context, const etcd::pb::AlarmResponse& response) {
  if (IsStructured(context.format)) {
    PrintDocument(*context.out, ProtoToEtcdJson(response), context.format);
    return;
  }
  for (const auto& alarm : response.alarms()) {
    *context.out << "memberID:" << HexId(alarm.memberid())
                 << " alarm:" << etcd::pb::AlarmType_Name(alarm.alarm()) << "\n";
  }
}

Status AlarmList(CommandContext& context) {
  auto client = context.Client();
  if (!client.ok()) return client.status();
  auto response = ListAlarms(**client);
  if (!response.ok()) return response.status();
  PrintAlarms(context, *response);
  return Status::Ok();
}

Status AlarmDisarm(CommandContext& context) {
  auto client = context.Client();
  if (!client.ok()) return client.status();
  auto active = ListAlarms(**client);
  if (!active.ok()) return active.status();
  etcd::pb::AlarmResponse disarmed;
  for (const auto& alarm : active->alarms()) {
    etcd::pb::AlarmRequest request;
    request.set_action(etcd::pb::AlarmRequest::DEACTIVATE);
    request.set_memberid(alarm.memberid());
    request.set_alarm(alarm.alarm());
    auto response = (*client)->Alarm(request);
    if (!response.ok()) return response.status();
    *disarmed.add_alarms() = alarm;
    *disarmed.mutable_header() = response->header();
  }
  PrintAlarms(context, disarmed);
  return Status::Ok();
}

struct CompactArgs {
  int64_t revision = 0;
  bool physical = false;
};

Status Compact(CommandContext& context, const CompactArgs& args) {
  if (args.revision <= 0) return InvalidArgument("compact: revision must be positive");
  auto client = context.Client();
  if (!client.ok()) return client.status();
  etcd::pb::CompactionRequest request;
  request.set_revision(args.revision);
  request.set_physical(args.physical);
  auto response = (*client)->Compact(request);
  if (!response.ok()) return response.status();
  *context.out << "compacted revision " << args.revision << "\n";
  return Status::Ok();
}

}  // namespace

void AddMaintenanceCommands(CLI::App& app, CommandContext& context) {
  AddCommand<MoveLeaderArgs>(app, context, "move-leader", "Transfer raft leadership to another member",
                             [](CLI::App& move, MoveLeaderArgs& args) {
                               move.add_option("member", args.target, "Member ID (hex) or name of the new leader")
                                   ->required();
                             },
                             MoveLeader);
  AddCommand<DefragArgs>(app, context, "defrag",
                         "Defragment each endpoint's backend, one at a time (or, with --data-dir, a stopped "
                         "member's, offline)",
                         [](CLI::App& defrag, DefragArgs& args) {
                           defrag.add_flag("--cluster", args.cluster, "Defragment every member in the member list");
                           defrag.add_option("--data-dir", args.data_dir,
                                             "A stopped member's data dir: its db rewritten compact, offline (as "
                                             "etcdutl defrag --data-dir); refused while an etcd holds it");
                         },
                         Defragment);
  auto* alarm = app.add_subcommand("alarm", "List or disarm cluster alarms");
  alarm->require_subcommand(1);
  AddCommand(*alarm, context, "list", "List active alarms", AlarmList);
  AddCommand(*alarm, context, "disarm", "Disarm every active alarm", AlarmDisarm);
  AddCommand<CompactArgs>(app, context, "compact", "Discard history before a revision",
                          [](CLI::App& compact, CompactArgs& args) {
                            compact.add_option("revision", args.revision, "Revision to compact to")->required();
                            compact.add_flag("--physical", args.physical,
                                             "Wait until the compaction is physically applied");
                          },
                          Compact);
}

}  // namespace ketcd::cli
