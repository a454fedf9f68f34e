// ketcd dump [PREFIX]: every object under a prefix, decoded, streamed page by
// page (memory stays bounded whatever the keyspace size).
#include <CLI/CLI.hpp>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "cli/decoding_options.h"
#include "cli/keyspace_source.h"
#include "cli/page_decoder.h"
#include "etcd/range_pager.h"

namespace ketcd::cli {
namespace {

struct DumpArgs {
  std::string prefix = "/registry/";
  DecodingOptions decoding;
  int64_t revision = 0;
  KeyspaceSource source;
};

Status Dump(CommandContext& context, const DumpArgs& args) {
  OutputFormat format = context.format;
  if (format == OutputFormat::kSimple || format == OutputFormat::kTable) {
    format = OutputFormat::kJsonLines;
  }
  auto decoder = Decoder::Load(args.decoding);
  if (!decoder.ok()) return decoder.status();
  const snapshot::KeyScope range = snapshot::KeyScope::Prefix(args.prefix);
  auto keyspace = OpenKeyspace(context, args.source, range);
  if (!keyspace.ok()) return keyspace.status();
  etcd::pb::RangeRequest request;
  request.set_key(range.start);
  request.set_range_end(range.end);
  request.set_revision(args.revision);
  std::ostream& out = *context.out;
  if (format == OutputFormat::kJson) out << "[";
  const ObjectStyle style = format == OutputFormat::kYaml   ? ObjectStyle::kYamlDocuments
                            : format == OutputFormat::kJson ? ObjectStyle::kJsonArrayItems
                                                            : ObjectStyle::kJsonLines;
  PageDecoder pages(*decoder, style, out, *context.err);
  Status status = etcd::ReadRangeInPages(
      *keyspace->reader, request, ObjectPageSizing(), [&](const etcd::RangePage& page) {
        pages.Add(std::move(page.response));
        return Status::Ok();
      });
  pages.Finish();
  if (format == OutputFormat::kJson) out << "\n]\n";
  if (!status.ok()) return status;
  const size_t printed = pages.decoded(), undecodable = pages.undecodable();
  if (undecodable > 0) {
    *context.err << "ketcd: warning: " << undecodable << " of " << printed
              << " values could not be decoded; shown as raw fields\n";
  }
  return Status::Ok();
}

}  // namespace

void AddDumpCommand(CLI::App& app, CommandContext& context) {
  auto bind = [](CLI::App& dump, DumpArgs& args) {
    dump.add_option("prefix", args.prefix, "Key prefix")->capture_default_str();
    dump.add_option("--rev", args.revision, "Read at this revision (0 = latest)");
    AddDecodingOptions(&dump, args.decoding);
    AddKeyspaceSourceOptions(&dump, args.source);
  };
  AddCommand<DumpArgs>(app, context, "dump", "Stream every object under a prefix, decoded", bind, Dump);
}

}  // namespace ketcd::cli
