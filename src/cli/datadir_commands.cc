// ketcd datadir inspect DIR...: stopped members' data dirs side by side,
// offline, and which one to recover from after a quorum loss (issue 19).
#include <CLI/CLI.hpp>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "datadir/inspect.h"
#include "util/hex_id.h"

namespace ketcd::cli {
namespace {

struct InspectArgs {
  std::vector<std::string> dirs;
};

std::string MembersText(const std::map<uint64_t, std::string>& members) {
  std::string text;
  for (const auto& [id, name] : members) text += (text.empty() ? "" : ",") + (name.empty() ? HexId(id) : name);
  return text.empty() ? "-" : text;
}

Json ReportJson(const datadir::DataDirReport& r) {
  Json members_raft = Json::object(), members_db = Json::object();
  for (const auto& [id, name] : r.membership.raft_members) members_raft[HexId(id)] = name;
  for (const auto& [id, name] : r.membership.backend_members) members_db[HexId(id)] = name;
  Json report = {{"dir", r.dir},
                 {"inUse", r.in_use},
                 {"memberID", HexId(r.member_id)},
                 {"memberName", r.member_name},
                 {"clusterID", HexId(r.cluster_id)},
                 {"membershipRaft", members_raft},
                 {"membershipBackend", members_db},
                 {"walSegments", r.wal_segments},
                 {"walRecords", r.wal_records},
                 {"term", r.hard_state_term},
                 {"commitIndex", r.commit_index},
                 {"lastIndex", r.last_index},
                 {"lastTerm", r.last_term},
                 {"snapshotIndex", r.membership.snapshot_index},
                 {"consistentIndex", r.consistent_index},
                 {"unappliedCommitted", r.UnappliedCommitted()},
                 {"revision", r.revision},
                 {"compactedRevision", r.compacted_revision},
                 {"dbSize", r.db_bytes},
                 {"dbFree", r.free_bytes},
                 {"usable", r.Usable()}};
  if (r.hash_kv) report["hashKV"] = *r.hash_kv;
  if (r.wal_damage) report["walDamage"] = r.wal_damage->Describe();
  report["dbProblems"] = r.db_problems;
  return report;
}

Status Inspect(CommandContext& context, const InspectArgs& args) {
  std::vector<datadir::DataDirReport> reports;
  for (const std::string& dir : args.dirs) {
    auto report = datadir::InspectDataDir(dir);
    if (!report.ok()) return report.status();
    reports.push_back(std::move(*report));
  }
  // One dir: nothing to compare it with; several: one cluster's, or refused.
  std::optional<datadir::Recommendation> recommended;
  Status no_choice = Status::Ok();
  if (reports.size() > 1) {
    auto freshest = datadir::RecommendFreshest(reports);
    if (!freshest.ok() && freshest.status().code() == ErrorCode::kInvalidArgument) return freshest.status();
    if (freshest.ok()) {
      recommended = *freshest;
    } else {
      no_choice = freshest.status();  // printed after the table
    }
  }
  if (IsStructured(context.format)) {
    Json document = {{"dataDirs", Json::array()}};
    for (const auto& report : reports) document["dataDirs"].push_back(ReportJson(report));
    if (recommended) document["recommended"] = {{"dir", reports[recommended->index].dir}, {"why", recommended->why}};
    PrintDocument(*context.out, document, context.format);
    return no_choice;
  }
  std::vector<std::string> headers = {"DATA DIR"};
  for (const auto& report : reports) headers.push_back(report.dir);
  Table table(headers);
  auto row = [&](const std::string& name, auto cell) {
    std::vector<std::string> cells = {name};
    for (const auto& report : reports) cells.push_back(cell(report));
    table.AddRow(std::move(cells));
  };
  using Report = datadir::DataDirReport;
  auto number = [](auto value) { return std::to_string(value); };
  row("member", [](const Report& r) { return (r.member_name.empty() ? "?" : r.member_name) + " " + HexId(r.member_id); });
  row("cluster", [](const Report& r) { return HexId(r.cluster_id); });
  row("etcd running", [](const Report& r) { return std::string(r.in_use ? "YES (figures may move)" : "no"); });
  row("members (raft)", [](const Report& r) { return MembersText(r.membership.raft_members); });
  row("members (db)", [](const Report& r) { return MembersText(r.membership.backend_members); });
  row("term", [&](const Report& r) { return number(r.hard_state_term); });
  row("commit index", [&](const Report& r) { return number(r.commit_index); });
  row("last entry", [&](const Report& r) { return number(r.last_index) + " (term " + number(r.last_term) + ")"; });
  row("applied (db)", [&](const Report& r) { return number(r.consistent_index); });
  row("committed, not applied", [&](const Report& r) { return number(r.UnappliedCommitted()); });
  row("raft snapshot", [&](const Report& r) { return number(r.membership.snapshot_index); });
  row("revision", [&](const Report& r) { return number(r.revision) + " (compacted " + number(r.compacted_revision) + ")"; });
  row("hash (hashkv)", [&](const Report& r) { return r.hash_kv ? number(*r.hash_kv) : std::string("-"); });
  row("db size", [](const Report& r) {
    return HumanBytes(static_cast<uint64_t>(r.db_bytes)) + " (" + HumanBytes(static_cast<uint64_t>(r.free_bytes)) +
           " free)";
  });
  row("WAL", [&](const Report& r) {
    return number(r.wal_segments) + " segment(s), " + number(r.wal_records) + " records" +
           (r.wal_damage ? ", " + std::string(r.wal_damage->kind == restore::WalDamage::Kind::kTornTail ? "torn tail"
                                                                                                          : "CORRUPT")
                         : "");
  });
  row("db check", [](const Report& r) {
    return r.db_problems.empty() ? std::string("sound") : "DAMAGED: " + r.db_problems.front();
  });
  table.Print(*context.out);
  for (const auto& report : reports) {
    if (report.wal_damage) *context.out << report.dir << ": WAL " << report.wal_damage->Describe() << "\n";
  }
  if (recommended) *context.out << "\nRecommended: " << reports[recommended->index].dir << "\n  " << recommended->why << "\n";
  return no_choice;
}

}  // namespace

void AddDataDirCommands(CLI::App& app, CommandContext& context) {
  auto* datadir = app.add_subcommand("datadir", "Stopped members' data dirs, offline: inspect and compare");
  datadir->require_subcommand(1);
  AddCommand<InspectArgs>(*datadir, context, "inspect",
                          "Member, cluster, raft log and db of each data dir side by side, and the freshest usable "
                          "one to recover from",
                          [](CLI::App& inspect, InspectArgs& args) {
                            inspect.add_option("dirs", args.dirs, "Data dirs (each holding member/)")->required();
                          },
                          Inspect);
}

}  // namespace ketcd::cli
