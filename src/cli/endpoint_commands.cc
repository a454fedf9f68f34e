// ketcd endpoint health|status: one line (or row) per endpoint, checked in
// parallel (etcd/endpoint_checks.h).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "etcd/endpoint_checks.h"
#include "etcd/status_fields.h"
#include "util/string_building.h"

namespace ketcd::cli {
namespace {

using etcd::EndpointReport;

std::string FormatTook(std::chrono::microseconds took) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3fms", took.count() / 1000.0);
  return buffer;
}

struct EndpointArgs {
  bool cluster = false;  // every member in the member list
};

Status EndpointHealth(CommandContext& context, const EndpointArgs& args) {
  auto clients = context.ClientPerEndpoint(args.cluster);
  if (!clients.ok()) return clients.status();
  auto reports = etcd::CheckEndpoints(*clients, etcd::CheckEndpointHealth);
  std::ostream& out = *context.out;
  if (IsStructured(context.format)) {
    Json document = Json::array();
    for (const auto& r : reports) {
      Json item = {
          {"endpoint", r.endpoint}, {"health", r.error.ok()}, {"took", FormatTook(r.took)}};
      if (!r.error.ok()) item["error"] = r.error.message();
      document.push_back(item);
    }
    PrintDocument(out, document, context.format);
  } else if (context.format == OutputFormat::kTable) {
    Table table({"ENDPOINT", "HEALTH", "TOOK", "ERROR"});
    for (const auto& r : reports) {
      table.AddRow({r.endpoint, r.error.ok() ? "true" : "false", FormatTook(r.took),
                    r.error.ok() ? "" : r.error.message()});
    }
    table.Print(out);
  } else {
    for (const auto& r : reports) {
      if (r.error.ok()) {
        out << r.endpoint
            << " is healthy: successfully committed proposal: took = " << FormatTook(r.took)
            << "\n";
      } else {
        out << r.endpoint << " is unhealthy: " << r.error.message() << "\n";
      }
    }
  }
  return etcd::EndpointsVerdict(reports, "unhealthy");
}

std::string JoinedErrors(const etcd::pb::StatusResponse& status) {
  std::string errors;
  for (const auto& e : status.errors()) AppendToList(errors, e, ", ");
  return errors;
}

// etcdctl's columns: 3.5's, or 3.6's (storage version, space in use,
// quota, downgrade) when a member reports the fields 3.6 added.
struct StatusColumns {
  bool since_36 = false;

  std::vector<std::string> Header() const {
    if (!since_36) {
      return {"ENDPOINT", "ID", "VERSION", "DB SIZE", "IS LEADER", "IS LEARNER", "RAFT TERM",
              "RAFT INDEX", "RAFT APPLIED INDEX", "ERRORS"};
    }
    return {"ENDPOINT", "ID", "VERSION", "STORAGE VERSION", "DB SIZE", "IN USE",
            "PERCENTAGE NOT IN USE", "QUOTA", "IS LEADER", "IS LEARNER", "RAFT TERM",
            "RAFT INDEX", "RAFT APPLIED INDEX", "ERRORS", "DOWNGRADE TARGET VERSION",
            "DOWNGRADE ENABLED"};
  }

  std::vector<std::string> Cells(const EndpointReport& r) const {
    const auto& s = r.status;
    const std::string is_leader = s.leader() == s.header().member_id() ? "true" : "false";
    const std::string is_learner = s.islearner() ? "true" : "false";
    if (!since_36) {
      return {r.endpoint, HexId(s.header().member_id()), s.version(), HumanBytes(s.dbsize()),
              is_leader, is_learner, std::to_string(s.raftterm()), std::to_string(s.raftindex()),
              std::to_string(s.raftappliedindex()), JoinedErrors(s)};
    }
    const etcd::StatusFieldsSince36 added = etcd::ReadStatusFieldsSince36(s);
    const etcd::DowngradeInfo downgrade = added.downgrade.value_or(etcd::DowngradeInfo{});
    // As etcdctl: the share of the file that is free pages, rounded down.
    const int64_t not_in_use =
        s.dbsize() > 0 ? 100 - s.dbsizeinuse() * 100 / s.dbsize() : 0;
    return {r.endpoint, HexId(s.header().member_id()), s.version(), added.storage_version,
            HumanBytes(s.dbsize()), HumanBytes(s.dbsizeinuse()),
            std::to_string(not_in_use) + "%", HumanBytes(added.db_size_quota), is_leader,
            is_learner, std::to_string(s.raftterm()), std::to_string(s.raftindex()),
            std::to_string(s.raftappliedindex()), JoinedErrors(s), downgrade.target_version,
            downgrade.enabled ? "true" : "false"};
  }
};

// etcdctl's JSON of one status: the declared fields, then those of 3.6.
Json StatusJson(const etcd::pb::StatusResponse& status) {
  Json json = ProtoToEtcdJson(status);
  const etcd::StatusFieldsSince36 added = etcd::ReadStatusFieldsSince36(status);
  if (!added.storage_version.empty()) json["storageVersion"] = added.storage_version;
  if (added.db_size_quota != 0) json["dbSizeQuota"] = added.db_size_quota;
  if (added.downgrade) {
    Json downgrade = Json::object();
    if (added.downgrade->enabled) downgrade["enabled"] = true;
    if (!added.downgrade->target_version.empty()) {
      downgrade["targetVersion"] = added.downgrade->target_version;
    }
    json["downgradeInfo"] = std::move(downgrade);
  }
  return json;
}

Status EndpointStatus(CommandContext& context, const EndpointArgs& args) {
  auto clients = context.ClientPerEndpoint(args.cluster);
  if (!clients.ok()) return clients.status();
  auto reports = etcd::CheckEndpoints(*clients, etcd::CheckEndpointStatus);
  std::ostream& out = *context.out;
  // With one endpoint, the verdict line already says what went wrong.
  for (const auto& r : reports) {
    if (!r.error.ok() && reports.size() > 1) {
      *context.err << "failed to get the status of endpoint " << r.endpoint << ": "
                << r.error.message() << "\n";
    }
  }
  if (IsStructured(context.format)) {
    Json document = Json::array();
    for (const auto& r : reports) {
      if (r.error.ok()) {
        document.push_back({{"Endpoint", r.endpoint}, {"Status", StatusJson(r.status)}});
      }
    }
    PrintDocument(out, document, context.format);
    return etcd::EndpointsVerdict(reports, "did not report their status");
  }
  StatusColumns columns;
  for (const auto& r : reports) {
    if (r.error.ok() && !etcd::ReadStatusFieldsSince36(r.status).storage_version.empty()) {
      columns.since_36 = true;
    }
  }
  if (context.format == OutputFormat::kTable) {
    Table table(columns.Header());
    for (const auto& r : reports) {
      if (r.error.ok()) table.AddRow(columns.Cells(r));
    }
    table.Print(out);
  } else {
    for (const auto& r : reports) {
      if (r.error.ok()) PrintSimpleRow(out, columns.Cells(r));
    }
  }
  return etcd::EndpointsVerdict(reports, "did not report their status");
}

}  // namespace

void AddEndpointCommands(CLI::App& app, CommandContext& context) {
  auto* endpoint = app.add_subcommand("endpoint", "Health and status of each endpoint");
  endpoint->require_subcommand(1);
  AddCommand<EndpointArgs>(*endpoint, context, "health", "Check that each endpoint commits a proposal",
                           [](CLI::App& health, EndpointArgs& args) {
                             health.add_flag("--cluster", args.cluster, "Check every member in the member list");
                           },
                           EndpointHealth);
  AddCommand<EndpointArgs>(*endpoint, context, "status", "Show each endpoint's member status",
                           [](CLI::App& status, EndpointArgs& args) {
                             status.add_flag("--cluster", args.cluster, "Show every member in the member list");
                           },
                           EndpointStatus);
}

}  // namespace ketcd::cli
