// ketcd history KEY: the revisions of a key that etcd still holds (back to
// its creation or to the compaction point), each decoded, with what changed
// from one to the next as a JSON patch.
#include <CLI/CLI.hpp>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "cli/decoding_options.h"
#include "cli/keyspace_source.h"
#include "etcd/key_history.h"
#include "util/json_text.h"

namespace ketcd::cli {
namespace {

struct HistoryArgs {
  std::string key;
  DecodingOptions decoding;
  size_t max = 20;
  KeyspaceSource source;
};

struct Version {
  int64_t mod_revision = 0;
  int64_t version = 0;
  Json object;
};

Status History(CommandContext& context, const HistoryArgs& args) {
  auto decoder = Decoder::Load(args.decoding);
  if (!decoder.ok()) return decoder.status();
  auto keyspace = OpenKeyspace(context, args.source);
  if (!keyspace.ok()) return keyspace.status();

  auto history = etcd::ReadKeyHistory(*keyspace->reader, args.key, args.max);
  if (!history.ok()) return history.status();
  using Stop = etcd::KeyHistory::Stop;
  const char* stopped_because = history->stopped_at == Stop::kCreation     ? "its creation"
                                : history->stopped_at == Stop::kDeletion   ? "a deletion"
                                : history->stopped_at == Stop::kCompaction ? "the compaction point"
                                                                           : "--max";
  std::vector<Version> versions;  // newest first
  for (const mvccpb::KeyValue& kv : history->versions) {
    std::vector<std::string> warnings;  // the raw fields already show them
    bool decoded;
    versions.push_back({kv.mod_revision(), kv.version(), decoder->DecodeOrRaw(kv, &warnings, &decoded)});
  }

  if (IsStructured(context.format)) {
    Json document = Json::array();
    for (size_t i = versions.size(); i-- > 0;) {
      Json entry = {{"modRevision", versions[i].mod_revision},
                    {"version", versions[i].version},
                    {"object", versions[i].object}};
      if (i + 1 < versions.size()) {
        entry["changes"] = Json::diff(versions[i + 1].object, versions[i].object);
      }
      document.push_back(entry);
    }
    PrintDocument(*context.out, document, context.format);
    return Status::Ok();
  }
  std::ostream& out = *context.out;
  out << args.key << ": " << versions.size() << " revision(s) held, back to " << stopped_because
      << "\n";
  for (size_t i = versions.size(); i-- > 0;) {
    out << "\n== revision " << versions[i].mod_revision << " (version " << versions[i].version
        << ")\n";
    if (i + 1 == versions.size()) {
      out << JsonText(versions[i].object, 4) << "\n";
      continue;
    }
    Json patch = Json::diff(versions[i + 1].object, versions[i].object);
    if (patch.empty()) out << "   (no change in content)\n";
    for (const auto& op : patch) {
      out << "   " << op["op"].get<std::string>() << " " << op["path"].get<std::string>();
      if (op.contains("value")) out << ": " << JsonText(op["value"]).substr(0, 200);
      out << "\n";
    }
  }
  return Status::Ok();
}

}  // namespace

void AddHistoryCommand(CLI::App& app, CommandContext& context) {
  auto bind = [](CLI::App& history, HistoryArgs& args) {
    history.add_option("key", args.key, "The etcd key")->required();
    history.add_option("--max", args.max, "At most this many revisions")->capture_default_str();
    AddDecodingOptions(&history, args.decoding);
    AddKeyspaceSourceOptions(&history, args.source);
  };
  AddCommand<HistoryArgs>(app, context, "history",
                          "Revisions etcd still holds for a key, decoded, with what changed between them", bind,
                          History);
}

}  // namespace ketcd::cli
