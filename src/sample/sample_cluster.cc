#include "sample/sample_cluster.h"


#include "k8s/object_encoder.h"
#include "migrate/range_allocation.h"
#include "util/base64.h"
#include "util/string_building.h"
#include "util/utc_time.h"

namespace ketcd::sample {
namespace {

using Json = nlohmann::ordered_json;
using migrate::Cidr;
using migrate::IpAddress;

// The address at `offset` after the network address + 1 (the allocator's
// offset numbering: offset 0 is the kubernetes Service).
Result<IpAddress> AddressAt(const Cidr& range, uint64_t offset) {
  const uint64_t index = offset + 1;
  if (range.host_bits() < 64 && index >= (uint64_t{1} << range.host_bits()) - 1) {
    return InvalidArgument(migrate::FormatCidr(range) + " is too small for offset " + std::to_string(offset));
  }
  IpAddress address = range.base;
  uint64_t carry = index;
  for (int byte = address.bits() / 8 - 1; byte >= 0 && carry; --byte) {
    const uint64_t sum = address.bytes[byte] + (carry & 0xff);
    address.bytes[byte] = static_cast<uint8_t>(sum);
    carry = (carry >> 8) + (sum >> 8);
  }
  return address;
}

// The i-th /mask subnet of `range`.
Result<Cidr> SubnetAt(const Cidr& range, int mask, uint64_t i) {
  if (mask < range.prefix || (mask - range.prefix < 63 && i >= (uint64_t{1} << (mask - range.prefix)))) {
    return InvalidArgument(migrate::FormatCidr(range) + " has no subnet /" + std::to_string(mask) + " number " +
                           std::to_string(i));
  }
  Cidr subnet{range.base, mask};
  for (int bit = mask - 1; bit >= range.prefix && i; --bit, i >>= 1) {
    if (i & 1) subnet.base.bytes[bit / 8] |= static_cast<uint8_t>(1u << (7 - bit % 8));
  }
  return subnet;
}

class Generator {
 public:
  Generator(const k8s::Schema& schema, const SampleClusterOptions& options) : schema_(schema), options_(options) {}

  Result<KeyValues> Run() {
    if (options_.service_cidrs.empty()) return InvalidArgument("no Service CIDR");
    for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease", "kube-flannel"}) {
      KETCD_RETURN_IF_ERROR(Put("/registry/namespaces/" + std::string(ns),
                                {{"kind", "Namespace"}, {"apiVersion", "v1"}, {"metadata", Meta(ns, "")},
                                 {"spec", {{"finalizers", {"kubernetes"}}}}, {"status", {{"phase", "Active"}}}}));
    }
    KETCD_RETURN_IF_ERROR(Services());
    KETCD_RETURN_IF_ERROR(Nodes());
    KETCD_RETURN_IF_ERROR(ConfigMaps());
    KETCD_RETURN_IF_ERROR(Allocators());
    KETCD_RETURN_IF_ERROR(Lease());
    const std::string pool = migrate::FormatCidr(options_.pod_cidr);
    out_.emplace_back("/registry/crd.projectcalico.org/ippools/default-ipv4-ippool",
                      Json{{"apiVersion", "crd.projectcalico.org/v1"}, {"kind", "IPPool"},
                           {"metadata", Meta("default-ipv4-ippool", "")},
                           {"spec", {{"blockSize", 26}, {"cidr", pool}, {"ipipMode", "Always"},
                                     {"natOutgoing", true}, {"nodeSelector", "all()"}}}}
                              .dump() + "\n");
    return std::move(out_);
  }

 private:
  Json Meta(const std::string& name, const std::string& ns, Json labels = nullptr) {
    Json meta = {{"name", name}};
    if (!ns.empty()) meta["namespace"] = ns;
    meta["uid"] = Uid();
    meta["creationTimestamp"] = Rfc3339Utc(options_.now - 86400);
    if (!labels.is_null()) meta["labels"] = labels;
    return meta;
  }
  std::string Uid() {
    char text[40];
    std::snprintf(text, sizeof text, "6b1c0f2e-%04x-4a5b-8c9d-%012llx", static_cast<unsigned>(uid_ >> 48 & 0xffff),
                  static_cast<unsigned long long>(uid_ & 0xffffffffffffULL));
    ++uid_;
    return text;
  }
  Status Put(const std::string& key, const Json& object) {
    auto encoded = k8s::EncodeStoredObject(schema_, object);
    if (!encoded.ok()) return encoded.status().WithContext(key);
    out_.emplace_back(key, std::move(*encoded));
    return Status::Ok();
  }

  // One Service; `offset` < 0 for one without a ClusterIP.
  Status Service(const std::string& ns, const std::string& name, const std::string& type, int64_t offset,
                 bool dual_stack, Json ports) {
    Json spec = {{"ports", std::move(ports)}, {"selector", {{"app", name}}}};
    std::vector<std::string> ips;
    std::vector<std::string> families;
    if (type == "ExternalName") {
      spec["type"] = "ExternalName";
      spec["externalName"] = name + ".example.com";
      spec.erase("selector");
    } else {
      if (offset < 0) {
        ips = {"None"};
      } else {
        for (size_t f = 0; f < (dual_stack ? options_.service_cidrs.size() : 1); ++f) {
          auto ip = AddressAt(options_.service_cidrs[f], static_cast<uint64_t>(offset));
          if (!ip.ok()) return ip.status();
          ips.push_back(migrate::FormatIp(*ip));
          allocated_[f].push_back(*ip);
          if (options_.ip_objects) KETCD_RETURN_IF_ERROR(IpAddressObject(*ip, ns, name));
        }
      }
      for (size_t f = 0; f < (dual_stack ? options_.service_cidrs.size() : 1); ++f) {
        families.push_back(options_.service_cidrs[f].base.v6 ? "IPv6" : "IPv4");
      }
      spec["clusterIP"] = ips.front();
      spec["clusterIPs"] = ips;
      spec["type"] = type;
      spec["sessionAffinity"] = "None";
      spec["ipFamilies"] = families;
      spec["ipFamilyPolicy"] = families.size() > 1 ? "PreferDualStack" : "SingleStack";
      spec["internalTrafficPolicy"] = "Cluster";
      if (type != "ClusterIP") spec["externalTrafficPolicy"] = "Cluster";
      if (type == "LoadBalancer") spec["allocateLoadBalancerNodePorts"] = true;
    }
    Json status = {{"loadBalancer", Json::object()}};
    if (type == "LoadBalancer") status["loadBalancer"]["ingress"] = {{{"ip", "203.0.113." + std::to_string(offset % 250 + 1)}, {"ipMode", "VIP"}}};
    return Put("/registry/services/specs/" + ns + "/" + name,
               {{"kind", "Service"}, {"apiVersion", "v1"}, {"metadata", Meta(name, ns, {{"app", name}})},
                {"spec", spec}, {"status", status}});
  }

  Status IpAddressObject(const IpAddress& ip, const std::string& ns, const std::string& name) {
    const std::string text = migrate::FormatIp(ip);
    return Put("/registry/ipaddresses/" + text,
               {{"kind", "IPAddress"}, {"apiVersion", "networking.k8s.io/v1"},
                {"metadata", Meta(text, "", {{"ipaddress.kubernetes.io/ip-family", ip.v6 ? "IPv6" : "IPv4"},
                                            {"ipaddress.kubernetes.io/managed-by", "ipallocator.k8s.io"}})},
                {"spec", {{"parentRef", {{"group", ""}, {"resource", "services"}, {"namespace", ns}, {"name", name}}}}}});
  }

  static Json Port(const std::string& name, const std::string& protocol, int port, Json target, int node_port = 0) {
    Json p = {{"name", name}, {"protocol", protocol}, {"port", port}, {"targetPort", std::move(target)}};
    if (node_port) p["nodePort"] = node_port;
    return p;
  }

  Status Services() {
    allocated_.resize(options_.service_cidrs.size());
    KETCD_RETURN_IF_ERROR(Service("default", "kubernetes", "ClusterIP", 0, false, {Port("https", "TCP", 443, 6443)}));
    KETCD_RETURN_IF_ERROR(Service("kube-system", "kube-dns", "ClusterIP", 9, false,
                                  {Port("dns", "UDP", 53, 53), Port("dns-tcp", "TCP", 53, 53),
                                   Port("metrics", "TCP", 9153, 9153)}));
    static const char* kTypes[] = {"ClusterIP", "ClusterIP", "NodePort", "ClusterIP", "LoadBalancer",
                                   "ClusterIP", "headless",  "ClusterIP", "ExternalName", "ClusterIP"};
    for (int i = 0; i < options_.services; ++i) {
      const std::string type = kTypes[i % 10];
      const std::string ns = "app-" + std::to_string(i % 10);
      const std::string name = "svc-" + std::to_string(i);
      const bool dual = options_.service_cidrs.size() > 1 && i % 7 == 3;
      const int node_port = type == "NodePort" || type == "LoadBalancer" ? 30000 + i % 2768 : 0;
      Json ports = {Port("http", "TCP", 80, "http", node_port)};
      KETCD_RETURN_IF_ERROR(Service(ns, name, type == "headless" ? "ClusterIP" : type, type == "headless" ? -1 : 100 + i,
                                    dual, std::move(ports)));
    }
    return Status::Ok();
  }

  Status Nodes() {
    for (int i = 0; i < options_.nodes; ++i) {
      const std::string name = "node-" + std::to_string(i);
      auto subnet = SubnetAt(options_.pod_cidr, options_.node_mask, static_cast<uint64_t>(i));
      if (!subnet.ok()) return subnet.status();
      const std::string cidr = migrate::FormatCidr(*subnet);
      const std::string address = "10.10." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
      Json node = {{"kind", "Node"}, {"apiVersion", "v1"},
                   {"metadata", Meta(name, "", {{"kubernetes.io/hostname", name}, {"kubernetes.io/os", "linux"}})},
                   {"spec", {{"podCIDR", cidr}, {"podCIDRs", {cidr}}}},
                   {"status", {{"addresses", {{{"type", "InternalIP"}, {"address", address}},
                                              {{"type", "Hostname"}, {"address", name}}}},
                               {"nodeInfo", {{"kubeletVersion", "v1.33.2"}, {"containerRuntimeVersion", "containerd://1.7.27"}}}}}};
      KETCD_RETURN_IF_ERROR(Put("/registry/minions/" + name, node));
    }
    return Status::Ok();
  }

  Status ConfigMap(const std::string& ns, const std::string& name, Json data) {
    return Put("/registry/configmaps/" + ns + "/" + name,
               {{"kind", "ConfigMap"}, {"apiVersion", "v1"}, {"metadata", Meta(name, ns)}, {"data", std::move(data)}});
  }

  Status ConfigMaps() {
    std::string service_subnets;
    for (const Cidr& cidr : options_.service_cidrs) {
      AppendToList(service_subnets, migrate::FormatCidr(cidr));
    }
    const std::string pods = migrate::FormatCidr(options_.pod_cidr);
    auto dns = AddressAt(options_.service_cidrs.front(), 9);
    if (!dns.ok()) return dns.status();
    KETCD_RETURN_IF_ERROR(ConfigMap("kube-system", "kubeadm-config",
        {{"ClusterConfiguration",
          "apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta4\ncaCertificateValidityPeriod: 87600h0m0s\n"
          "certificateValidityPeriod: 8760h0m0s\ncertificatesDir: /etc/kubernetes/pki\nclusterName: kubernetes\n"
          "controllerManager: {}\ndns: {}\nencryptionAlgorithm: RSA-2048\netcd:\n  local:\n    dataDir: /var/lib/etcd\n"
          "imageRepository: images.example\nkind: ClusterConfiguration\nkubernetesVersion: v1.33.2\n"
          "networking:\n  dnsDomain: cluster.local\n  podSubnet: " + pods + "\n  serviceSubnet: " + service_subnets +
          "\nproxy: {}\nscheduler: {}\n"}}));
    KETCD_RETURN_IF_ERROR(ConfigMap("kube-system", "kubelet-config",
        {{"kubelet",
          "apiVersion: kubelet.config.k8s.io/v1beta1\nauthentication:\n  anonymous:\n    enabled: false\n"
          "cgroupDriver: systemd\nclusterDNS:\n- " + migrate::FormatIp(*dns) + "\nclusterDomain: cluster.local\n"
          "kind: KubeletConfiguration\nrotateCertificates: true\nstaticPodPath: /etc/kubernetes/manifests\n"}}));
    KETCD_RETURN_IF_ERROR(ConfigMap("kube-system", "kube-proxy",
        {{"config.conf",
          "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nbindAddress: 0.0.0.0\nclientConnection:\n"
          "  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\nclusterCIDR: " + pods +
          "\nkind: KubeProxyConfiguration\nmode: \"\"\n"},
         {"kubeconfig.conf", "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://10.10.0.1:6443\n  name: default\n"}}));
    KETCD_RETURN_IF_ERROR(ConfigMap("kube-system", "coredns",
        {{"Corefile", ".:53 {\n    errors\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n    }\n    forward . /etc/resolv.conf\n}\n"}}));
    return ConfigMap("kube-flannel", "kube-flannel-cfg",
        {{"cni-conf.json", "{\n  \"name\": \"cbr0\",\n  \"cniVersion\": \"0.3.1\"\n}\n"},
         {"net-conf.json", "{\n  \"Network\": \"" + pods + "\",\n  \"EnableNFTables\": false,\n  \"Backend\": {\n    \"Type\": \"vxlan\"\n  }\n}\n"}});
  }

  Status Allocators() {
    for (size_t f = 0; f < options_.service_cidrs.size(); ++f) {
      const Cidr& range = options_.service_cidrs[f];
      const std::string bitmap = migrate::AllocationBitmap(range, allocated_[f]);
      Json object = {{"kind", "RangeAllocation"}, {"apiVersion", "v1"},
                     {"metadata", {{"creationTimestamp", Rfc3339Utc(options_.now - 86400)}}},
                     {"range", migrate::FormatCidr(range)}};
      object["data"] = Base64Encode(bitmap);  // []byte in the API's JSON
      KETCD_RETURN_IF_ERROR(Put(f == 0 ? "/registry/ranges/serviceips" : "/registry/ranges/secondaryserviceips", object));
      if (options_.ip_objects && f == 0) {
        std::vector<std::string> cidrs;
        for (const Cidr& cidr : options_.service_cidrs) cidrs.push_back(migrate::FormatCidr(cidr));
        KETCD_RETURN_IF_ERROR(Put("/registry/servicecidrs/kubernetes",
            {{"kind", "ServiceCIDR"}, {"apiVersion", "networking.k8s.io/v1"},
             {"metadata", Meta("kubernetes", "")}, {"spec", {{"cidrs", cidrs}}},
             {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"},
                                          {"lastTransitionTime", Rfc3339Utc(options_.now - 86400)},
                                          {"reason", ""}, {"message", "Kubernetes Service CIDR is ready"}}}}}}}));
      }
    }
    return Status::Ok();
  }

  Status Lease() {
    const int64_t renewed = options_.now - options_.apiserver_renewed_ago;
    return Put("/registry/leases/kube-system/apiserver-4b7xqk2c5m3zfq6d2xo3rj6xle",
               {{"kind", "Lease"}, {"apiVersion", "coordination.k8s.io/v1"},
                {"metadata", Meta("apiserver-4b7xqk2c5m3zfq6d2xo3rj6xle", "kube-system",
                                  {{"apiserver.kubernetes.io/identity", "kube-apiserver"}})},
                {"spec", {{"holderIdentity", "apiserver-4b7xqk2c5m3zfq6d2xo3rj6xle_0d8b1c1e"},
                          {"leaseDurationSeconds", 3600},
                          {"acquireTime", Rfc3339MicroUtc(options_.now - 86400, 0)},
                          {"renewTime", Rfc3339MicroUtc(renewed, 0)}}}});
  }

  const k8s::Schema& schema_;
  const SampleClusterOptions& options_;
  KeyValues out_;
  std::vector<std::vector<IpAddress>> allocated_;
  uint64_t uid_ = 1;
};

}  // namespace

Result<KeyValues> GenerateSampleCluster(const k8s::Schema& schema, const SampleClusterOptions& options) {
  return Generator(schema, options).Run();
}

}  // namespace ketcd::sample
