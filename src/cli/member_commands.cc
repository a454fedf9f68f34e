// ketcd member list|add|remove|promote|update.
#include <CLI/CLI.hpp>
#include <sstream>

#include "cli/commands.h"
#include "etcd/member_lookup.h"

namespace ketcd::cli {
namespace {

std::string JoinUrls(const google::protobuf::RepeatedPtrField<std::string>& urls) {
  std::string joined;
  for (const auto& url : urls) joined += (joined.empty() ? "" : ",") + url;
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

Status MemberAdd(CommandContext& context, const std::string& name, const std::string& peer_urls,
                 bool learner) {
  std::vector<std::string> urls = SplitUrls(peer_urls);
  if (urls.empty()) return InvalidArgument("member add: --peer-urls is required");
  auto client = context.Client();
  if (!client.ok()) return client.status();
  auto response = (*client)->MemberAdd(urls, learner);
  if (!response.ok()) return response.status();
  std::ostream& out = *context.out;
  if (IsStructured(context.format)) {
    PrintDocument(out, ProtoToEtcdJson(*response), context.format);
    return Status::Ok();
  }
  // The environment the new member needs to join, as etcdctl prints it.
  std::string initial_cluster;
  for (const auto& member : response->members()) {
    std::string member_name = member.id() == response->member().id() ? name : member.name();
    if (member_name.empty()) continue;  // another member that never started
    for (const auto& url : member.peerurls()) {
      initial_cluster += (initial_cluster.empty() ? "" : ",") + member_name + "=" + url;
    }
  }
  out << "Member " << HexId(response->member().id()) << " added to cluster "
      << HexId(response->header().cluster_id()) << "\n\n"
      << "ETCD_NAME=\"" << name << "\"\n"
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

}  // namespace

void AddMemberCommands(CLI::App& app, CommandContext& context) {
  auto* member = app.add_subcommand("member", "List and change cluster membership");
  member->require_subcommand(1);

  member->add_subcommand("list", "List the members of the cluster")->callback([&context] {
    context.action = [&context] { return MemberList(context); };
  });

  struct AddArgs {
    std::string name, peer_urls;
    bool learner = false;
  };
  auto add_args = std::make_shared<AddArgs>();
  auto* add = member->add_subcommand("add", "Add a member (as a learner with --learner)");
  add->add_option("name", add_args->name, "Name of the new member")->required();
  add->add_option("--peer-urls", add_args->peer_urls, "Comma-separated peer URLs")->required();
  add->add_flag("--learner", add_args->learner, "Add as a non-voting learner");
  add->callback([&context, add_args] {
    context.action = [&context, add_args] {
      return MemberAdd(context, add_args->name, add_args->peer_urls, add_args->learner);
    };
  });

  auto remove_ref = std::make_shared<std::string>();
  auto* remove = member->add_subcommand("remove", "Remove a member (by hex ID or name)");
  remove->add_option("member", *remove_ref, "Member ID (hex) or name")->required();
  remove->callback([&context, remove_ref] {
    context.action = [&context, remove_ref] {
      return ChangeMember(
          context, *remove_ref, "removed from",
          [](etcd::EtcdClient& c, uint64_t id) { return HeaderOf(c.MemberRemove(id)); });
    };
  });

  auto promote_ref = std::make_shared<std::string>();
  auto* promote = member->add_subcommand("promote", "Promote a learner to a voting member");
  promote->add_option("member", *promote_ref, "Member ID (hex) or name")->required();
  promote->callback([&context, promote_ref] {
    context.action = [&context, promote_ref] {
      return ChangeMember(
          context, *promote_ref, "promoted in",
          [](etcd::EtcdClient& c, uint64_t id) { return HeaderOf(c.MemberPromote(id)); });
    };
  });

  struct UpdateArgs {
    std::string ref, peer_urls;
  };
  auto update_args = std::make_shared<UpdateArgs>();
  auto* update = member->add_subcommand("update", "Change a member's peer URLs");
  update->add_option("member", update_args->ref, "Member ID (hex) or name")->required();
  update->add_option("--peer-urls", update_args->peer_urls, "Comma-separated peer URLs")
      ->required();
  update->callback([&context, update_args] {
    context.action = [&context, update_args] {
      std::vector<std::string> urls = SplitUrls(update_args->peer_urls);
      return ChangeMember(
          context, update_args->ref, "updated in",
          [urls](etcd::EtcdClient& c, uint64_t id) { return HeaderOf(c.MemberUpdate(id, urls)); });
    };
  });
}

}  // namespace ketcd::cli
