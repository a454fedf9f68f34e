// ketcd get|put|del: raw keys, as etcdctl. `get` streams page by page, so a
// prefix of any size prints with bounded memory.
#include <CLI/CLI.hpp>
#include <future>
#include <iterator>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "cli/decoding_options.h"
#include "cli/keyspace_source.h"
#include "cli/resource_get.h"
#include "etcd/member_lookup.h"
#include "etcd/range_pager.h"
#include "util/json_text.h"

namespace ketcd::cli {
namespace {

struct KeyRangeArgs {
  std::string key, range_end;
  bool prefix = false, from_key = false;
};

// Turns etcdctl's key arguments into [key, range_end).
Result<std::pair<std::string, std::string>> KeyRange(const KeyRangeArgs& args) {
  if (args.prefix && args.from_key) return InvalidArgument("--prefix and --from-key conflict");
  if ((args.prefix || args.from_key) && !args.range_end.empty()) {
    return InvalidArgument("a range end cannot be combined with --prefix or --from-key");
  }
  if (args.prefix) {
    // The empty prefix means every key: etcd's "\0" .. "\0".
    if (args.key.empty()) return std::make_pair(std::string(1, '\0'), std::string(1, '\0'));
    return std::make_pair(args.key, etcd::PrefixRangeEnd(args.key));
  }
  if (args.from_key) {
    std::string key = args.key.empty() ? std::string(1, '\0') : args.key;
    return std::make_pair(key, std::string(1, '\0'));
  }
  return std::make_pair(args.key, args.range_end);
}

struct GetArgs {
  KeyRangeArgs range;
  bool keys_only = false, count_only = false, print_value_only = false, serializable = false;
  int64_t revision = 0, limit = 0, page_size = 0;  // 0: adaptive pages
  KeyspaceSource source;
  // kubectl-style: `get RESOURCE [NAME]`.
  std::string namespace_ = "default";
  bool all_namespaces = false;
  DecodingOptions decoding;
};

// `get pods` and `get deploy.apps web` read Kubernetes objects; keys (which
// start with "/" under Kubernetes) and ranges are read as etcdctl reads them.
bool MayNameResource(const KeyRangeArgs& range) {
  return !range.prefix && !range.from_key && !range.key.empty() && range.key[0] != '/';
}

// Prints a streamed get in the chosen format; each Add() sees one page.
class GetPrinter {
 public:
  GetPrinter(std::ostream& out, OutputFormat format, bool value_only)
      : out_(out),
        format_(format == OutputFormat::kJsonLines ? OutputFormat::kJson : format),
        value_only_(value_only) {}

  void Add(const etcd::RangePage& page) {
    const auto& response = page.response;
    if (page.first) {
      count_ = response.count();
      if (format_ == OutputFormat::kJson) {
        out_ << "{\"header\":" << JsonText(ProtoToEtcdJson(response.header()));
      } else if (format_ == OutputFormat::kYaml) {
        out_ << "header:\n" << Indent(ToYaml(ProtoToEtcdJson(response.header())));
      }
    }
    more_ = response.more();
    for (const auto& kv : response.kvs()) {
      switch (format_) {
        case OutputFormat::kJson:
          out_ << (printed_ == 0 ? ",\"kvs\":[" : ",") << JsonText(ProtoToEtcdJson(kv));
          break;
        case OutputFormat::kYaml:
          if (printed_ == 0) out_ << "kvs:\n";
          out_ << ToYaml(Json::array({ProtoToEtcdJson(kv)}));
          break;
        default:
          if (!value_only_) out_ << kv.key() << "\n";
          out_ << kv.value() << "\n";
      }
      ++printed_;
    }
  }

  // `limited`: the read stopped at --limit, so "more" describes the rest.
  void Finish(bool limited) {
    const bool more = limited && more_;
    if (format_ == OutputFormat::kJson) {
      if (printed_ > 0) out_ << "]";
      if (more) out_ << ",\"more\":true";
      if (count_ != 0) out_ << ",\"count\":" << count_;
      out_ << "}\n";
    } else if (format_ == OutputFormat::kYaml) {
      if (more) out_ << "more: true\n";
      if (count_ != 0) out_ << "count: " << count_ << "\n";
    } else if (count_only_) {
      out_ << count_ << "\n";
    }
  }

  void set_count_only(bool count_only) { count_only_ = count_only; }

 private:
  static std::string Indent(const std::string& yaml) {
    std::string indented = "  ";
    for (size_t i = 0; i < yaml.size(); ++i) {
      indented += yaml[i];
      if (yaml[i] == '\n' && i + 1 < yaml.size()) indented += "  ";
    }
    return indented;
  }

  std::ostream& out_;
  OutputFormat format_;
  bool value_only_;
  bool count_only_ = false;
  bool more_ = false;
  int64_t count_ = 0;
  int64_t printed_ = 0;
};

Status Get(CommandContext& context, const GetArgs& args) {
  // Bad flags are usage errors, reported before connecting.
  if (args.limit < 0 || args.revision < 0 || args.page_size < 0) {
    return InvalidArgument("get: --limit, --rev and --page-size must not be negative");
  }
  auto range = KeyRange(args.range);
  if (!range.ok()) return range.status();
  const bool may_name_resource = MayNameResource(args.range);
  if (context.format == OutputFormat::kTable && !may_name_resource) {
    return InvalidArgument("get: table output is not supported (use simple, json or yaml)");
  }
  // The schema loads while etcd is reached and the resource looked up.
  std::future<Result<Decoder>> decoder;
  if (may_name_resource) {
    decoder = std::async(std::launch::async, [&decoding = args.decoding] { return Decoder::Load(decoding); });
  }
  // Offline, only what is read is indexed: the range, or a built-in
  // resource's prefix (another name may be a custom resource, looked up
  // among candidate prefixes, or else a key).
  snapshot::KeyScope scope{range->first, range->second};
  if (may_name_resource) {
    scope = snapshot::KeyScope::Prefix(BuiltInResourcePrefix(args.range.key));
  }
  auto keyspace = OpenKeyspace(context, args.source, std::move(scope));
  if (!keyspace.ok()) return keyspace.status();
  if (may_name_resource) {
    auto prefix = ResolveResource(*keyspace->reader, args.range.key);
    if (!prefix.ok()) return prefix.status();
    if (*prefix) {
      ResourceQuery query{args.range.key, args.range.range_end, args.namespace_,
                          args.all_namespaces, args.revision};
      return GetResources(context, *keyspace->reader, **prefix, query, std::move(decoder));
    }
    if (context.format == OutputFormat::kTable) {
      return InvalidArgument(
          "get: table output is not supported for keys (use simple, json or yaml)");
    }
  }
  etcd::pb::RangeRequest request;
  request.set_key(range->first);
  request.set_range_end(range->second);
  request.set_revision(args.revision);
  request.set_limit(args.limit);
  request.set_keys_only(args.keys_only);
  request.set_count_only(args.count_only);
  request.set_serializable(args.serializable);
  GetPrinter printer(*context.out, context.format, args.print_value_only);
  printer.set_count_only(args.count_only);
  int64_t returned = 0;
  etcd::PageSizing sizing;
  if (args.page_size > 0) sizing = etcd::PageSizing::Fixed(args.page_size);
  Status status =
      etcd::ReadRangeInPages(*keyspace->reader, request, sizing, [&](const etcd::RangePage& page) {
        printer.Add(page);
        returned += page.response.kvs_size();
        return Status::Ok();
      });
  if (!status.ok()) return status;
  printer.Finish(args.limit > 0 && returned >= args.limit);
  return Status::Ok();
}

struct PutArgs {
  std::string key, value, lease;
  bool value_given = false, prev_kv = false, ignore_value = false, ignore_lease = false;
};

Status Put(CommandContext& context, PutArgs args) {
  if (!args.value_given && !args.ignore_value) {
    // etcdctl reads the value from stdin when it is not an argument.
    args.value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  etcd::pb::PutRequest request;
  request.set_key(args.key);
  request.set_value(args.value);
  request.set_prev_kv(args.prev_kv);
  request.set_ignore_value(args.ignore_value);
  request.set_ignore_lease(args.ignore_lease);
  if (!args.lease.empty()) {
    auto lease = etcd::ParseMemberId(args.lease);  // lease IDs are hex too
    if (!lease.ok()) return InvalidArgument("put: bad --lease \"" + args.lease + "\"");
    request.set_lease(static_cast<int64_t>(*lease));
  }
  auto client = context.Client();
  if (!client.ok()) return client.status();
  auto response = (*client)->Put(request);
  if (!response.ok()) return response.status();
  if (IsStructured(context.format)) {
    PrintDocument(*context.out, ProtoToEtcdJson(*response), context.format);
    return Status::Ok();
  }
  *context.out << "OK\n";
  if (response->has_prev_kv()) {
    *context.out << response->prev_kv().key() << "\n" << response->prev_kv().value() << "\n";
  }
  return Status::Ok();
}

struct DelArgs {
  KeyRangeArgs range;
  bool prev_kv = false;
};

Status Delete(CommandContext& context, const DelArgs& args) {
  auto range = KeyRange(args.range);
  if (!range.ok()) return range.status();
  auto client = context.Client();
  if (!client.ok()) return client.status();
  etcd::pb::DeleteRangeRequest request;
  request.set_key(range->first);
  request.set_range_end(range->second);
  request.set_prev_kv(args.prev_kv);
  auto response = (*client)->DeleteRange(request);
  if (!response.ok()) return response.status();
  if (IsStructured(context.format)) {
    PrintDocument(*context.out, ProtoToEtcdJson(*response), context.format);
    return Status::Ok();
  }
  *context.out << response->deleted() << "\n";
  for (const auto& kv : response->prev_kvs()) {
    *context.out << kv.key() << "\n" << kv.value() << "\n";
  }
  return Status::Ok();
}

void AddKeyRangeOptions(CLI::App* command, KeyRangeArgs& range) {
  command->add_option("key", range.key, "Key (or prefix with --prefix)")->required();
  command->add_option("range_end", range.range_end, "End of the key range (exclusive)");
  command->add_flag("--prefix", range.prefix, "Treat the key as a prefix");
  command->add_flag("--from-key", range.from_key, "Every key from the given key on");
}

}  // namespace

void AddKeyValueCommands(CLI::App& app, CommandContext& context) {
  auto bind_get = [](CLI::App& get, GetArgs& args) {
    AddKeyRangeOptions(&get, args.range);
    get.add_option("-n,--namespace", args.namespace_, "With a RESOURCE: its namespace")->capture_default_str();
    get.add_flag("-A,--all-namespaces", args.all_namespaces, "With a RESOURCE: objects of every namespace");
    AddDecodingOptions(&get, args.decoding);
    get.add_flag("--keys-only", args.keys_only, "Print keys without values");
    get.add_flag("--count-only", args.count_only, "Print only the number of keys");
    get.add_flag("--print-value-only", args.print_value_only, "Print values without keys");
    get.add_option("--rev", args.revision, "Read at this revision (0 = latest)");
    get.add_option("--limit", args.limit, "At most this many keys (0 = all)");
    get.add_option("--page-size", args.page_size, "Keys per request (default: adapts to ~8 MB pages)");
    AddKeyspaceSourceOptions(&get, args.source);
    get.add_option_function<std::string>(
           "--consistency", [&args](const std::string& value) { args.serializable = value == "s"; },
           "l (linearizable, default) or s (serializable)")
        ->check(CLI::IsMember({"l", "s"}));
  };
  AddCommand<GetArgs>(app, context, "get",
                      "Read keys, page by page (as etcdctl), or Kubernetes objects: get RESOURCE [NAME]", bind_get,
                      Get);
  AddCommand<PutArgs>(app, context, "put", "Write a key (value from stdin when omitted)",
                      [](CLI::App& put, PutArgs& args) {
                        put.add_option("key", args.key, "Key")->required();
                        put.add_option_function<std::string>(
                            "value",
                            [&args](const std::string& value) {
                              args.value = value;
                              args.value_given = true;
                            },
                            "Value");
                        put.add_option("--lease", args.lease, "Attach to this lease (hex ID)");
                        put.add_flag("--prev-kv", args.prev_kv, "Print the previous key-value");
                        put.add_flag("--ignore-value", args.ignore_value, "Keep the current value");
                        put.add_flag("--ignore-lease", args.ignore_lease, "Keep the current lease");
                      },
                      Put);
  AddCommand<DelArgs>(app, context, "del", "Delete keys",
                      [](CLI::App& del, DelArgs& args) {
                        AddKeyRangeOptions(&del, args.range);
                        del.add_flag("--prev-kv", args.prev_kv, "Print the deleted key-values");
                      },
                      Delete);
}

}  // namespace ketcd::cli
