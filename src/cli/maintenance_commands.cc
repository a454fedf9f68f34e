// ketcd move-leader, defrag, alarm list|disarm, compact.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "etcd/member_lookup.h"

namespace ketcd::cli {
namespace {

Status MoveLeader(CommandContext& context, const std::string& target_ref) {
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

Status Defragment(CommandContext& context, bool whole_cluster) {
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
      std::cerr << "failed to defragment etcd member[" << endpoint
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

Status Compact(CommandContext& context, int64_t revision, bool physical) {
  if (revision <= 0) return InvalidArgument("compact: revision must be positive");
  auto client = context.Client();
  if (!client.ok()) return client.status();
  etcd::pb::CompactionRequest request;
  request.set_revision(revision);
  request.set_physical(physical);
  auto response = (*client)->Compact(request);
  if (!response.ok()) return response.status();
  *context.out << "compacted revision " << revision << "\n";
  return Status::Ok();
}

}  // namespace

void AddMaintenanceCommands(CLI::App& app, CommandContext& context) {
  auto target = std::make_shared<std::string>();
  auto* move = app.add_subcommand("move-leader", "Transfer raft leadership to another member");
  move->add_option("member", *target, "Member ID (hex) or name of the new leader")->required();
  move->callback([&context, target] {
    context.action = [&context, target] { return MoveLeader(context, *target); };
  });

  auto defrag_cluster = std::make_shared<bool>(false);
  auto* defrag = app.add_subcommand("defrag", "Defragment each endpoint's backend, one at a time");
  defrag->add_flag("--cluster", *defrag_cluster, "Defragment every member in the member list");
  defrag->callback([&context, defrag_cluster] {
    context.action = [&context, defrag_cluster] { return Defragment(context, *defrag_cluster); };
  });

  auto* alarm = app.add_subcommand("alarm", "List or disarm cluster alarms");
  alarm->require_subcommand(1);
  alarm->add_subcommand("list", "List active alarms")->callback([&context] {
    context.action = [&context] { return AlarmList(context); };
  });
  alarm->add_subcommand("disarm", "Disarm every active alarm")->callback([&context] {
    context.action = [&context] { return AlarmDisarm(context); };
  });

  struct CompactArgs {
    int64_t revision = 0;
    bool physical = false;
  };
  auto compact_args = std::make_shared<CompactArgs>();
  auto* compact = app.add_subcommand("compact", "Discard history before a revision");
  compact->add_option("revision", compact_args->revision, "Revision to compact to")->required();
  compact->add_flag("--physical", compact_args->physical,
                    "Wait until the compaction is physically applied");
  compact->callback([&context, compact_args] {
    context.action = [&context, compact_args] {
      return Compact(context, compact_args->revision, compact_args->physical);
    };
  });
}

}  // namespace ketcd::cli
