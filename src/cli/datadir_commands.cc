// ketcd datadir inspect DIR... and compare A B: stopped members' data dirs
// side by side, offline, which one to recover from after a quorum loss, and
// whether two of them agree (issue 19).
#include <CLI/CLI.hpp>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "datadir/compare.h"
#include "datadir/inspect.h"
#include "util/hex_id.h"
#include "util/string_building.h"

namespace ketcd::cli {
namespace {

struct InspectArgs {
  std::vector<std::string> dirs;
};

std::string MembersText(const std::map<uint64_t, std::string>& members) {
  std::string text;
  for (const auto& [id, name] : members) AppendToList(text, name.empty() ? HexId(id) : name);
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

struct CompareArgs {
  std::string a, b;
  int64_t revision = 0;
};

// Exit 0 when they agree, 1 when they differ (as diff does).
Status Compare(CommandContext& context, const CompareArgs& args) {
  using Kind = snapshot::KeyDifference::Kind;
  const bool structured = IsStructured(context.format);
  Json keys = Json::array();
  auto compared = datadir::CompareKeyspaces(args.a, args.b, args.revision, [&](const snapshot::KeyDifference& d) {
    const std::string& key = (d.before ? d.before : d.after)->key();
    const char* kind = d.kind == Kind::kRemoved ? "only-in-first" : d.kind == Kind::kAdded ? "only-in-second" : "changed";
    if (structured) {
      keys.push_back({{"key", key}, {"difference", kind}});
    } else {
      *context.out << (d.kind == Kind::kRemoved ? "- " : d.kind == Kind::kAdded ? "+ " : "~ ") << key << "\n";
    }
    return Status::Ok();
  });
  if (!compared.ok()) return compared.status();
  const datadir::Comparison& c = *compared;
  if (structured) {
    PrintDocument(*context.out,
                  {{"revision", c.revision}, {"hashFirst", c.hash_a}, {"hashSecond", c.hash_b},
                   {"agree", c.agree()}, {"differingKeys", keys}},
                  context.format);
  } else if (c.agree()) {
    *context.out << "Agree at revision " << c.revision << ": hash " << c.hash_a << " on both\n";
  } else {
    *context.out << "Differ at revision " << c.revision << ": hash " << c.hash_a << " vs " << c.hash_b << ", "
                 << c.differing_keys << " key(s) differ"
                 << (c.differing_keys == 0 ? " (the history up to it differs, not the keys)" : "") << "\n";
  }
  if (c.agree()) return Status::Ok();
  return Failed(args.a + " and " + args.b + " differ at revision " + std::to_string(c.revision));
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
  AddCommand<CompareArgs>(*datadir, context, "compare",
                          "Whether two data dirs (or db/snapshot files) agree at a revision both hold (etcd's KV "
                          "hash), and which keys differ",
                          [](CLI::App& compare, CompareArgs& args) {
                            compare.add_option("first", args.a, "Data dir or db/snapshot file")->required();
                            compare.add_option("second", args.b, "Data dir or db/snapshot file")->required();
                            compare.add_option("--rev", args.revision,
                                               "The revision to compare at (default: the newest both hold)");
                          },
                          Compare);
}

}  // namespace ketcd::cli
