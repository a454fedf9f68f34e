#include "k8s/resource_prefix.h"

#include <algorithm>
#include <map>

namespace ketcd::k8s {
namespace {

// kubectl's short names of built-in resources.
const std::map<std::string_view, std::string_view> kShortNames = {
    {"cm", "configmaps"},        {"crd", "customresourcedefinitions"},
    {"crds", "customresourcedefinitions"},
    {"cj", "cronjobs"},          {"csr", "certificatesigningrequests"},
    {"deploy", "deployments"},   {"ds", "daemonsets"},
    {"ep", "endpoints"},         {"ev", "events"},
    {"hpa", "horizontalpodautoscalers"},
    {"ing", "ingresses"},        {"limits", "limitranges"},
    {"netpol", "networkpolicies"},
    {"no", "nodes"},             {"ns", "namespaces"},
    {"pc", "priorityclasses"},   {"pdb", "poddisruptionbudgets"},
    {"po", "pods"},              {"pv", "persistentvolumes"},
    {"pvc", "persistentvolumeclaims"},
    {"quota", "resourcequotas"}, {"rc", "replicationcontrollers"},
    {"rs", "replicasets"},       {"sa", "serviceaccounts"},
    {"sc", "storageclasses"},    {"sts", "statefulsets"},
    {"svc", "services"},
};

// Built-in resources whose etcd prefix is not their plural name.
const std::map<std::string_view, std::string_view> kSpecialPrefixes = {
    {"services", "services/specs"},
    {"endpoints", "services/endpoints"},
    {"nodes", "minions"},
    {"replicationcontrollers", "controllers"},
    {"ingresses", "ingress"},
    {"customresourcedefinitions", "apiextensions.k8s.io/customresourcedefinitions"},
    {"apiservices", "apiregistration.k8s.io/apiservices"},
};

// Built-in plural names (kubectl get accepts these without a group).
const std::string_view kBuiltIn[] = {
    "bindings", "certificatesigningrequests", "clusterrolebindings", "clusterroles",
    "componentstatuses", "configmaps", "controllerrevisions", "cronjobs", "csidrivers",
    "csinodes", "csistoragecapacities", "daemonsets", "deployments", "endpointslices",
    "events", "flowschemas", "horizontalpodautoscalers", "ipaddresses", "jobs", "leases",
    "limitranges", "mutatingwebhookconfigurations", "namespaces", "networkpolicies",
    "persistentvolumeclaims", "persistentvolumes", "poddisruptionbudgets", "pods",
    "podtemplates", "priorityclasses", "prioritylevelconfigurations", "replicasets",
    "resourcequotas", "rolebindings", "roles", "runtimeclasses", "secrets", "serviceaccounts",
    "servicecidrs", "statefulsets", "storageclasses", "validatingadmissionpolicies",
    "validatingadmissionpolicybindings", "validatingwebhookconfigurations",
    "volumeattachments"};

// The plural forms a (possibly singular) name may have.
std::vector<std::string> Plurals(const std::string& name) {
  std::vector<std::string> forms = {name};
  if (name.size() > 1 && name.back() == 'y') forms.push_back(name.substr(0, name.size() - 1) + "ies");
  if (name.size() > 1 && name.back() == 's') forms.push_back(name + "es");  // "ingress"
  if (name.back() != 's') forms.push_back(name + "s");
  return forms;
}

}  // namespace

ResourcePrefixes ResourcePrefixesFor(std::string_view argument) {
  ResourcePrefixes result;
  std::string resource(argument.substr(0, argument.find('.')));
  std::transform(resource.begin(), resource.end(), resource.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  const std::string group =
      argument.find('.') == std::string_view::npos ? "" : std::string(argument.substr(argument.find('.') + 1));
  if (resource.empty()) return result;
  if (auto short_name = kShortNames.find(resource); short_name != kShortNames.end()) {
    resource = short_name->second;
  }
  auto add = [&](const std::string& prefix) {
    if (std::find(result.candidates.begin(), result.candidates.end(), prefix) ==
        result.candidates.end()) {
      result.candidates.push_back(prefix);
    }
  };
  for (const std::string& plural : Plurals(resource)) {
    const bool special = kSpecialPrefixes.count(plural) > 0;
    const bool built_in = special || std::find(std::begin(kBuiltIn), std::end(kBuiltIn), plural) !=
                                         std::end(kBuiltIn);
    result.known = result.known || built_in;
    // A group names a custom (or aggregated) resource first; built-in
    // resources are stored without their group.
    if (!group.empty()) add(group + "/" + plural);
    if (special) add(std::string(kSpecialPrefixes.at(plural)));
    if (built_in || group.empty()) add(plural);
    if (built_in && group.empty() && result.built_in.empty()) {
      result.built_in = special ? std::string(kSpecialPrefixes.at(plural)) : plural;
    }
  }
  return result;
}

std::string KubectlResourceName(std::string_view storage_prefix) {
  for (const auto& [name, prefix] : kSpecialPrefixes) {
    if (prefix == storage_prefix) return std::string(name);
  }
  const size_t slash = storage_prefix.find('/');
  if (slash != std::string_view::npos && storage_prefix.substr(0, slash).find('.') != std::string_view::npos) {
    return std::string(storage_prefix.substr(slash + 1)) + "." + std::string(storage_prefix.substr(0, slash));
  }
  return std::string(storage_prefix);
}

std::vector<std::string> BuiltInResourceNames() {
  std::vector<std::string> names(std::begin(kBuiltIn), std::end(kBuiltIn));
  for (const auto& [name, prefix] : kSpecialPrefixes) names.emplace_back(name);
  for (const auto& [short_name, plural] : kShortNames) names.emplace_back(short_name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace ketcd::k8s
