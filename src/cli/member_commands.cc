// ketcd member list|add|remove|promote|update.
#include <CLI/CLI.hpp>
#include <sstream>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "etcd/member_lookup.h"
#include "util/string_building.h"

namespace ketcd::cli {
namespace {

std::string JoinUrls(const google::protobuf::RepeatedPtrField<std::string>& urls) {
  std::string joined;
  for (const auto& url : urls) AppendToList(joined, url);
  return joined;
}

std::vector<std::string> MemberCells(const etcd::pb::Member& member) {
  // A member added but not yet started has no name: etcdctl calls it unstarted.
  return {HexId(member.id()),
          member.name().empty() ? "unstarted" : "started",
          member.name(),
          JoinUrls(member.peerurls()),
          JoinUrls(member.clienturls()),
          member.islearner() ? "true" : "false"};
}

Status MemberList(CommandContext& context) {
  auto client = context.Client();
  if (!client.ok()) return client.status();
  auto response = (*client)->MemberList();
  if (!response.ok()) return response.status();
  std::ostream& out = *context.out;
  switch (context.format) {
    case OutputFormat::kJson:
    case OutputFormat::kJsonLines:
    case OutputFormat::kYaml:
      PrintDocument(out, ProtoToEtcdJson(*response), context.format);
      break;
    case OutputFormat::kTable: {
      Table table({"ID", "STATUS", "NAME", "PEER ADDRS", "CLIENT ADDRS", "IS LEARNER"});
      for (const auto& member : response->members()) table.AddRow(MemberCells(member));
      table.Print(out);
      break;
    }
    case OutputFormat::kSimple:
      for (const auto& member : response->members()) PrintSimpleRow(out, MemberCells(member));
      break;
  }
  return Status::Ok();
}

std::vector<std::string> SplitUrls(const std::string& text) {
  std::vector<std::string> urls;
  std::stringstream stream(text);
  std::string url;
  while (std::getline(stream, url, ',')) {
    if (!url.empty()) urls.push_back(url);
  }
  return urls;
}

struct AddArgs {
  std::string name, peer_urls;
  bool learner = false;
};

Status MemberAdd(CommandContext& context, const AddArgs& args) {
  std::vector<std::string> urls = SplitUrls(args.peer_urls);
  if (urls.empty()) return InvalidArgument("member add: --peer-urls is required");
  auto client = context.Client();
  if (!client.ok()) return client.status();
  auto response = (*client)->MemberAdd(urls, args.learner);
  if (!response.ok()) return response.status();
  std::ostream& out = *context.out;
  if (IsStructured(context.format)) {
    PrintDocument(out, ProtoToEtcdJson(*response), context.format);
    return Status::Ok();
  }
  // The environment the new member needs to join, as etcdctl prints it.
  std::string initial_cluster;
  for (const auto& member : response->members()) {
    std::string member_name = member.id() == response->member().id() ? args.name : member.name();
    if (member_name.empty()) continue;  // another member that never started
    for (const auto& url : member.peerurls()) {
      AppendToList(initial_cluster, member_name + "=" + url);
    }
  }
  out << "Member " << HexId(response->member().id()) << " added to cluster "
      << HexId(response->header().cluster_id()) << "\n\n"
      << "ETCD_NAME=\"" << args.name << "\"\n"
      << "ETCD_INITIAL_CLUSTER=\"" << initial_cluster << "\"\n"
      << "ETCD_INITIAL_ADVERTISE_PEER_URLS=\"" << JoinUrls(response->member().peerurls()) << "\"\n"
      << "ETCD_INITIAL_CLUSTER_STATE=\"existing\"\n";
  return Status::Ok();
}

template <typename Response>
Result<etcd::pb::ResponseHeader> HeaderOf(const Result<Response>& response) {
  if (!response.ok()) return response.status();
  return response->header();
}

// Runs one member change addressed by ID or name and prints etcdctl's line.
template <typename Change>
Status ChangeMember(CommandContext& context, const std::string& member_ref, const char* verb,
                    Change&& change) {
  auto client = context.Client();
  if (!client.ok()) return client.status();
  auto members = (*client)->MemberList();
  if (!members.ok()) return members.status();
  auto id = etcd::ResolveMemberId(*members, member_ref);
  if (!id.ok()) return id.status();
  auto header = change(**client, *id);
  if (!header.ok()) return header.status();
  *context.out << "Member " << HexId(*id) << " " << verb << " cluster "
               << HexId(header->cluster_id()) << "\n";
  return Status::Ok();
}

struct MemberArgs {
  std::string ref;  // hex ID or name
  std::string peer_urls;
};

void BindMember(CLI::App& command, MemberArgs& args) {
  command.add_option("member", args.ref, "Member ID (hex) or name")->required();
}

Status MemberRemove(CommandContext& context, const MemberArgs& args) {
  return ChangeMember(context, args.ref, "removed from",
                      [](etcd::EtcdClient& c, uint64_t id) { return HeaderOf(c.MemberRemove(id)); });
}

Status MemberPromote(CommandContext& context, const MemberArgs& args) {
  return ChangeMember(context, args.ref, "promoted in",
                      [](etcd::EtcdClient& c, uint64_t id) { return HeaderOf(c.MemberPromote(id)); });
}

Status MemberUpdate(CommandContext& context, const MemberArgs& args) {
  const std::vector<std::string> urls = SplitUrls(args.peer_urls);
  return ChangeMember(context, args.ref, "updated in",
                      [&urls](etcd::EtcdClient& c, uint64_t id) { return HeaderOf(c.MemberUpdate(id, urls)); });
}

}  // namespace

void AddMemberCommands(CLI::App& app, CommandContext& context) {
  auto* member = app.add_subcommand("member", "List and change cluster membership");
  member->require_subcommand(1);
  AddCommand(*member, context, "list", "List the members of the cluster", MemberList);
  AddCommand<AddArgs>(*member, context, "add", "Add a member (as a learner with --learner)",
                      [](CLI::App& command, AddArgs& args) {
                        command.add_option("name", args.name, "Name of the new member")->required();
                        command.add_option("--peer-urls", args.peer_urls, "Comma-separated peer URLs")->required();
                        command.add_flag("--learner", args.learner, "Add as a non-voting learner");
                      },
                      MemberAdd);
  AddCommand<MemberArgs>(*member, context, "remove", "Remove a member (by hex ID or name)", BindMember,
                         MemberRemove);
  AddCommand<MemberArgs>(*member, context, "promote", "Promote a learner to a voting member", BindMember,
                         MemberPromote);
  AddCommand<MemberArgs>(*member, context, "update", "Change a member's peer URLs",
                         [](CLI::App& command, MemberArgs& args) {
                           BindMember(command, args);
                           command.add_option("--peer-urls", args.peer_urls, "Comma-separated peer URLs")
                               ->required();
                         },
                         MemberUpdate);
}

}  // namespace ketcd::cli
