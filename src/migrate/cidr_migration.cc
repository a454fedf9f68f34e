#include "migrate/cidr_migration.h"

#include <chrono>
#include <ctime>
#include <map>
#include <thread>

#include "etcd/range_pager.h"
#include "k8s/storage_envelope.h"
#include "migrate/range_allocation.h"
#include "migrate/text_edit.h"
#include "migrate/wire_edit.h"

namespace ketcd::migrate {
namespace {

using KeyValue = ::mvccpb::KeyValue;
using Edit = Result<std::optional<std::string>>;

// Field numbers (k8s.io/api core/v1, networking/v1, coordination/v1).
constexpr int kMetadata = 1, kSpec = 2, kStatus = 3;
constexpr int kObjectMetaName = 1;
constexpr int kServiceSpecClusterIp = 3, kServiceSpecClusterIps = 18;
constexpr int kNodeSpecPodCidr = 1, kNodeSpecPodCidrs = 7;
constexpr int kNodeStatusAddresses = 5, kNodeAddressAddress = 2;
constexpr int kConfigMapData = 2, kMapEntryKey = 1, kMapEntryValue = 2;
constexpr int kServiceCidrSpecCidrs = 1;
constexpr int kLeaseSpecRenewTime = 4, kTimestampSeconds = 1;

constexpr char kServices[] = "/registry/services/specs/";
constexpr char kNodes[] = "/registry/minions/";
constexpr char kServiceCidrs[] = "/registry/servicecidrs/";
constexpr char kIpAddresses[] = "/registry/ipaddresses/";
constexpr char kKubeSystemConfigMaps[] = "/registry/configmaps/kube-system/";
constexpr char kCalicoIpPools[] = "/registry/crd.projectcalico.org/ippools/";
constexpr const char* kAllocators[] = {"/registry/ranges/serviceips",
                                       "/registry/ranges/secondaryserviceips"};

// Where a ConfigMap keeps an address setting: data entry, YAML key.
struct ConfigSetting {
  const char* entry;
  const char* yaml_key;
  MigrationTarget target;
};

std::string Name(const std::string& key, const std::string& prefix) { return key.substr(prefix.size()); }

Result<Cidr> HostCidr(std::string_view text) {
  auto address = ParseIp(text);
  if (!address.ok()) return address.status();
  return Cidr{*address, address->bits()};
}

class Planner {
 public:
  Planner(etcd::RangeReader& reader, const MigrationRequest& request)
      : reader_(reader), request_(request) {}

  Result<MigrationPlan> Run() {
    const bool services = request_.target == MigrationTarget::kServiceCidr;
    KETCD_RETURN_IF_ERROR(Scan(kNodes, [&](const KeyValue& kv) { return Node(kv); }));
    if (services) {
      KETCD_RETURN_IF_ERROR(Scan(kServices, [&](const KeyValue& kv) { return Service(kv); }));
      for (const char* key : kAllocators) {
        KETCD_RETURN_IF_ERROR(Scan(key, [&](const KeyValue& kv) { return Allocator(kv); }, false));
      }
      KETCD_RETURN_IF_ERROR(Scan(kServiceCidrs, [&](const KeyValue& kv) { return ServiceCidr(kv); }));
      KETCD_RETURN_IF_ERROR(Scan(kIpAddresses, [&](const KeyValue& kv) { return IpAddressObject(kv); }));
    } else {
      KETCD_RETURN_IF_ERROR(Scan(kCalicoIpPools, [&](const KeyValue& kv) { return CalicoPool(kv); }));
      KETCD_RETURN_IF_ERROR(Scan("/registry/configmaps/kube-flannel/kube-flannel-cfg",
                                 [&](const KeyValue& kv) { return ConfigMap(kv); }, false));
    }
    KETCD_RETURN_IF_ERROR(Scan(kKubeSystemConfigMaps, [&](const KeyValue& kv) { return ConfigMap(kv); }));
    CheckOverlaps();
    if (!refusals_.empty()) {
      std::string message = "the migration is refused (" + std::to_string(refusals_.size()) + " problem" +
                            (refusals_.size() == 1 ? "" : "s") + "):";
      for (size_t i = 0; i < refusals_.size() && i < 50; ++i) message += "\n  " + refusals_[i];
      if (refusals_.size() > 50) message += "\n  ... and " + std::to_string(refusals_.size() - 50) + " more";
      return InvalidArgument(message);
    }
    return std::move(plan_);
  }

 private:
  // Reads every key under `prefix` (or the one key), all at one revision.
  Status Scan(const std::string& prefix, const std::function<Status(const KeyValue&)>& visit,
              bool is_prefix = true) {
    etcd::pb::RangeRequest request;
    request.set_key(prefix);
    if (is_prefix) request.set_range_end(etcd::PrefixRangeEnd(prefix));
    request.set_revision(plan_.revision);
    return etcd::ReadRangeInPages(reader_, request, {}, [&](const etcd::RangePage& page) -> Status {
      if (plan_.revision == 0) plan_.revision = page.response.header().revision();
      for (const KeyValue& kv : page.response.kvs()) {
        ++plan_.objects_checked;
        Status status = visit(kv);
        if (!status.ok()) refusals_.push_back(kv.key() + ": " + status.message());
      }
      return Status::Ok();
    });
  }

  // A FieldEditor that maps the field's text and records the change.
  FieldEditor Recording(std::vector<FieldChange>& fields, std::string name, bool repeated,
                        Edit (AddressMap::*map)(std::string_view) const) const {
    return [this, &fields, name, repeated, map](std::string_view contents, int index) -> Edit {
      auto mapped = (request_.addresses.*map)(contents);
      if (mapped.ok() && mapped->has_value()) {
        fields.push_back({repeated ? name + "[" + std::to_string(index) + "]" : name,
                          std::string(contents), **mapped});
      }
      return mapped;
    };
  }

  TokenRewriter RecordingTokens(std::vector<FieldChange>& fields, std::string name) const {
    return [this, &fields, name](std::string_view token) -> Edit {
      auto mapped = request_.addresses.MapToken(token);
      if (mapped.ok() && mapped->has_value()) fields.push_back({name, std::string(token), **mapped});
      return mapped;
    };
  }

  Status RequireProtobuf(const KeyValue& kv) const {
    const auto encoding = k8s::DetectStorageEncoding(kv.value());
    if (encoding == k8s::StorageEncoding::kProtobuf) return Status::Ok();
    return InvalidArgument(std::string("stored as ") + k8s::StorageEncodingName(encoding) +
                           "; ketcd migrate rewrites protobuf-encoded objects only");
  }

  void Add(const KeyValue& kv, const char* kind, std::string new_value,
           std::vector<FieldChange> fields, std::string new_key = "") {
    if (fields.empty() && new_key.empty()) return;
    plan_.changes.push_back({kind, kv.key(), std::move(new_key), kv.mod_revision(), kv.value(),
                             std::move(new_value), std::move(fields)});
  }

  Status Service(const KeyValue& kv) {
    KETCD_RETURN_IF_ERROR(RequireProtobuf(kv));
    std::vector<FieldChange> fields;
    const int cluster_ip[] = {kSpec, kServiceSpecClusterIp};
    const int cluster_ips[] = {kSpec, kServiceSpecClusterIps};
    auto edited = EditStoredObject(kv.value(), cluster_ip,
                                   Recording(fields, "spec.clusterIP", false, &AddressMap::MapAddress));
    if (!edited.ok()) return edited.status();
    edited = EditStoredObject(*edited, cluster_ips,
                              Recording(fields, "spec.clusterIPs", true, &AddressMap::MapAddress));
    if (!edited.ok()) return edited.status();
    auto final_ips = ReadStoredObject(*edited, cluster_ips);
    if (!final_ips.ok()) return final_ips.status();
    for (std::string_view text : *final_ips) {
      if (auto ip = ParseIp(text); ip.ok()) service_ips_.push_back(*ip);
    }
    if (kv.key() == std::string(kServices) + "kube-system/kube-dns" && !final_ips->empty()) {
      plan_.cluster_dns = final_ips->front();
    }
    Add(kv, "Service", std::move(*edited), std::move(fields));
    return Status::Ok();
  }

  Status Allocator(const KeyValue& kv) {
    KETCD_RETURN_IF_ERROR(RequireProtobuf(kv));
    const int range_path[] = {kRangeAllocationRange};
    const int data_path[] = {kRangeAllocationData};
    auto range_text = ReadStoredObject(kv.value(), range_path);
    if (!range_text.ok()) return range_text.status();
    if (range_text->size() != 1) return DataLoss("RangeAllocation without a range");
    auto range = ParseCidr(range_text->front());
    if (!range.ok()) return range.status();
    const CidrMapping* mapping = request_.addresses.ForFamily(range->base.v6);
    if (mapping == nullptr) return Status::Ok();
    std::vector<FieldChange> fields;
    auto edited = EditStoredObject(kv.value(), range_path,
                                   Recording(fields, "range", false, &AddressMap::MapCidr));
    if (!edited.ok()) return edited.status();
    const std::string bitmap = AllocationBitmap(mapping->to(), service_ips_);
    int found = 0;
    edited = EditStoredObject(*edited, data_path, [&](std::string_view old, int) -> Edit {
      ++found;
      if (old == bitmap) return std::optional<std::string>();
      fields.push_back({"data", CountBits(old) + " allocated", CountBits(bitmap) + " allocated"});
      return std::optional<std::string>(bitmap);
    });
    if (!edited.ok()) return edited.status();
    if (found == 0 && !bitmap.empty()) {
      return Failed("the allocator holds no bitmap; delete the key and let kube-apiserver rebuild it");
    }
    Add(kv, "RangeAllocation", std::move(*edited), std::move(fields));
    return Status::Ok();
  }

  static std::string CountBits(std::string_view bitmap) {
    int64_t count = 0;
    for (char byte : bitmap) count += __builtin_popcount(static_cast<uint8_t>(byte));
    return std::to_string(count);
  }

  Status ServiceCidr(const KeyValue& kv) {
    KETCD_RETURN_IF_ERROR(RequireProtobuf(kv));
    std::vector<FieldChange> fields;
    const int cidrs[] = {kSpec, kServiceCidrSpecCidrs};
    auto edited = EditStoredObject(kv.value(), cidrs,
                                   Recording(fields, "spec.cidrs", true, &AddressMap::MapCidr));
    if (!edited.ok()) return edited.status();
    Add(kv, "ServiceCIDR", std::move(*edited), std::move(fields));
    return Status::Ok();
  }

  Status IpAddressObject(const KeyValue& kv) {
    KETCD_RETURN_IF_ERROR(RequireProtobuf(kv));
    auto new_name = request_.addresses.MapAddress(Name(kv.key(), kIpAddresses));
    if (!new_name.ok()) return new_name.status();
    if (!new_name->has_value()) return Status::Ok();
    std::vector<FieldChange> fields;
    const int name[] = {kMetadata, kObjectMetaName};
    auto edited = EditStoredObject(kv.value(), name,
                                   Recording(fields, "metadata.name", false, &AddressMap::MapAddress));
    if (!edited.ok()) return edited.status();
    Add(kv, "IPAddress", std::move(*edited), std::move(fields), kIpAddresses + **new_name);
    return Status::Ok();
  }

  Status Node(const KeyValue& kv) {
    KETCD_RETURN_IF_ERROR(RequireProtobuf(kv));
    const int addresses[] = {kStatus, kNodeStatusAddresses, kNodeAddressAddress};
    auto node_addresses = ReadStoredObject(kv.value(), addresses);
    if (!node_addresses.ok()) return node_addresses.status();
    for (std::string_view text : *node_addresses) {
      if (auto ip = ParseIp(text); ip.ok()) {
        node_addresses_.push_back({*ip, Name(kv.key(), kNodes)});
      }
    }
    if (request_.target != MigrationTarget::kPodCidr) return Status::Ok();
    std::vector<FieldChange> fields;
    const int pod_cidr[] = {kSpec, kNodeSpecPodCidr};
    const int pod_cidrs[] = {kSpec, kNodeSpecPodCidrs};
    auto edited = EditStoredObject(kv.value(), pod_cidr,
                                   Recording(fields, "spec.podCIDR", false, &AddressMap::MapCidr));
    if (!edited.ok()) return edited.status();
    edited = EditStoredObject(*edited, pod_cidrs,
                              Recording(fields, "spec.podCIDRs", true, &AddressMap::MapCidr));
    if (!edited.ok()) return edited.status();
    Add(kv, "Node", std::move(*edited), std::move(fields));
    return Status::Ok();
  }

  // The address settings of a kube-system (or kube-flannel) ConfigMap.
  std::vector<ConfigSetting> SettingsOf(const std::string& name) const {
    if (name == "kubeadm-config") {
      return {{"ClusterConfiguration", "serviceSubnet", MigrationTarget::kServiceCidr},
              {"ClusterConfiguration", "podSubnet", MigrationTarget::kPodCidr}};
    }
    // kubeadm before 1.24 versioned the name: kubelet-config-1.23.
    if (name == "kubelet-config" || name.starts_with("kubelet-config-")) {
      return {{"kubelet", "clusterDNS", MigrationTarget::kServiceCidr}};
    }
    if (name == "kube-proxy") return {{"config.conf", "clusterCIDR", MigrationTarget::kPodCidr}};
    return {};
  }

  Status ConfigMap(const KeyValue& kv) {
    const std::string name = kv.key().substr(kv.key().rfind('/') + 1);
    const bool flannel = name == "kube-flannel-cfg" && request_.target == MigrationTarget::kPodCidr;
    const std::vector<ConfigSetting> settings = SettingsOf(name);
    if (settings.empty() && !flannel) return Status::Ok();
    KETCD_RETURN_IF_ERROR(RequireProtobuf(kv));
    std::vector<FieldChange> fields;
    const int data[] = {kConfigMapData};
    auto edited = EditStoredObject(kv.value(), data, [&](std::string_view entry, int) -> Edit {
      const int key_path[] = {kMapEntryKey};
      const int value_path[] = {kMapEntryValue};
      auto entry_key = ReadFields(entry, key_path);
      if (!entry_key.ok()) return entry_key.status();
      if (entry_key->size() != 1) return std::optional<std::string>();
      const std::string entry_name(entry_key->front());
      auto rewrite_text = [&](std::string_view text) -> Edit {
        std::optional<std::string> result;
        for (const ConfigSetting& setting : settings) {
          if (entry_name != setting.entry) continue;
          if (setting.target != request_.target) {
            // The other range (the Pod CIDR during a Service CIDR move and
            // the reverse): the new range must not overlap it.
            auto read = RewriteYamlKey(text, setting.yaml_key, [&](std::string_view token) -> Edit {
              auto cidr = token.find('/') == std::string_view::npos ? HostCidr(token) : ParseCidr(token);
              if (cidr.ok()) other_ranges_.push_back({*cidr, name + " " + setting.yaml_key});
              return std::optional<std::string>();
            });
            if (!read.ok()) return read.status();
            continue;
          }
          auto out = RewriteYamlKey(result ? *result : text, setting.yaml_key,
                                    RecordingTokens(fields, "data." + entry_name + ": " + setting.yaml_key));
          if (!out.ok()) return out.status();
          if (out->has_value()) result = std::move(*out);
        }
        if (flannel && entry_name == "net-conf.json") {
          for (const char* json_key : {"Network", "IPv6Network"}) {
            const std::string path[] = {json_key};
            auto out = RewriteJsonStrings(result ? *result : text, path,
                                          RecordingTokens(fields, "data.net-conf.json: " + std::string(json_key)));
            if (!out.ok()) return out.status();
            if (out->has_value()) result = std::move(*out);
          }
        }
        return result;
      };
      auto edited_entry = EditFields(entry, value_path, [&](std::string_view text, int) { return rewrite_text(text); });
      if (!edited_entry.ok()) return edited_entry.status();
      if (*edited_entry == entry) return std::optional<std::string>();
      return std::optional<std::string>(std::move(*edited_entry));
    });
    if (!edited.ok()) return edited.status();
    if (flannel) return AddCni(kv, "ConfigMap (flannel)", std::move(*edited), std::move(fields));
    Add(kv, "ConfigMap", std::move(*edited), std::move(fields));
    return Status::Ok();
  }

  Status CalicoPool(const KeyValue& kv) {
    const auto encoding = k8s::DetectStorageEncoding(kv.value());
    if (encoding != k8s::StorageEncoding::kJson && encoding != k8s::StorageEncoding::kCbor) {
      return RequireProtobuf(kv);  // names the encoding
    }
    std::vector<FieldChange> fields;
    const std::string path[] = {"spec", "cidr"};
    auto edited = encoding == k8s::StorageEncoding::kJson
                      ? RewriteJsonStrings(kv.value(), path, RecordingTokens(fields, "spec.cidr"))
                      : RewriteCborStrings(kv.value(), path, RecordingTokens(fields, "spec.cidr"));
    if (!edited.ok()) {
      // A pool outside --from is the operator's business, not a blocker.
      plan_.notices.push_back(kv.key() + ": left as is: " + edited.status().message());
      return Status::Ok();
    }
    if (!edited->has_value()) return Status::Ok();
    return AddCni(kv, "IPPool (Calico)", std::move(**edited), std::move(fields));
  }

  Status AddCni(const KeyValue& kv, const char* kind, std::string new_value, std::vector<FieldChange> fields) {
    if (fields.empty()) return Status::Ok();
    if (request_.include_cni) {
      Add(kv, kind, std::move(new_value), std::move(fields));
    } else {
      plan_.notices.push_back(kv.key() + ": CNI configuration holds the range (" + fields.front().field +
                              " " + fields.front().old_value + "); add --include-cni to rewrite it");
    }
    return Status::Ok();
  }

  void CheckOverlaps() {
    for (const CidrMapping& mapping : request_.addresses.mappings()) {
      for (const Cidr& avoid : request_.avoid) {
        if (Overlaps(mapping.to(), avoid)) {
          refusals_.push_back("--to " + FormatCidr(mapping.to()) + " overlaps " + FormatCidr(avoid));
        }
      }
      for (const auto& [range, origin] : other_ranges_) {
        if (Overlaps(mapping.to(), range)) {
          refusals_.push_back("--to " + FormatCidr(mapping.to()) + " overlaps " + FormatCidr(range) + " (" + origin + ")");
        }
      }
      for (const auto& [address, node] : node_addresses_) {
        if (mapping.to().Contains(address)) {
          refusals_.push_back("--to " + FormatCidr(mapping.to()) + " holds the address " +
                              FormatIp(address) + " of node " + node);
        }
      }
    }
  }

  etcd::RangeReader& reader_;
  const MigrationRequest& request_;
  MigrationPlan plan_;
  std::vector<std::string> refusals_;
  std::vector<IpAddress> service_ips_;  // every Service address after the migration
  std::vector<std::pair<IpAddress, std::string>> node_addresses_;
  std::vector<std::pair<Cidr, std::string>> other_ranges_;  // from the cluster's configs
};

}  // namespace

const char* MigrationTargetName(MigrationTarget target) {
  return target == MigrationTarget::kServiceCidr ? "service-cidr" : "pod-cidr";
}

Result<MigrationPlan> PlanCidrMigration(etcd::RangeReader& reader, const MigrationRequest& request) {
  return Planner(reader, request).Run();
}

Status CheckApiServerStopped(etcd::RangeReader& reader, int wait_seconds,
                             const std::function<void(const std::string&)>& note) {
  constexpr int64_t kRecentSeconds = 30;
  auto read = [&](const std::string& prefix) -> Result<etcd::pb::RangeResponse> {
    etcd::pb::RangeRequest request;
    request.set_key(prefix);
    request.set_range_end(etcd::PrefixRangeEnd(prefix));
    return reader.Range(request);
  };
  // Leases that look alive, with the mod_revision they had.
  std::map<std::string, int64_t> watched;
  const int64_t now = std::time(nullptr);
  auto leases = read("/registry/leases/kube-system/apiserver-");
  if (!leases.ok()) return leases.status();
  for (const KeyValue& kv : leases->kvs()) {
    const int renew[] = {kSpec, kLeaseSpecRenewTime};
    auto time = ReadStoredObject(kv.value(), renew);
    if (!time.ok() || time->empty()) continue;
    auto seconds = ReadVarintField(time->front(), kTimestampSeconds);
    if (seconds.ok() && seconds->has_value() && now - static_cast<int64_t>(**seconds) < kRecentSeconds) {
      watched[kv.key()] = kv.mod_revision();
    }
  }
  auto master_leases = read("/registry/masterleases/");
  if (!master_leases.ok()) return master_leases.status();
  for (const KeyValue& kv : master_leases->kvs()) watched[kv.key()] = kv.mod_revision();
  if (watched.empty()) return Status::Ok();

  note("kube-apiserver renewed " + watched.begin()->first + " less than " +
       std::to_string(kRecentSeconds) + " s ago; watching for " + std::to_string(wait_seconds) +
       " s whether it still does (stop every kube-apiserver first, or pass --force)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    for (const auto& [key, revision] : watched) {
      etcd::pb::RangeRequest request;
      request.set_key(key);
      auto current = reader.Range(request);
      if (!current.ok()) return current.status();
      if (current->kvs_size() == 1 && current->kvs(0).mod_revision() != revision) {
        return Failed("kube-apiserver is running: it renewed " + key +
                      " just now. Stop every kube-apiserver before migrating (or pass --force)");
      }
    }
  }
  return Status::Ok();
}

}  // namespace ketcd::migrate
