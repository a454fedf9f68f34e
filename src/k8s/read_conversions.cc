#include "k8s/read_conversions.h"

#include <string>

namespace ketcd::k8s {
namespace {

// `object` with `key` set to `value` as its first member (Go prints an
// inline TypeMeta, and a status's phase, before the other fields).
Json WithFirst(const std::string& key, Json value, Json object) {
  Json placed = Json::object();
  placed[key] = std::move(value);
  for (auto& [name, member] : object.items()) {
    if (name != key) placed[name] = std::move(member);
  }
  return placed;
}

void AddClaimTemplateTypeMeta(Json& stateful_set) {
  if (!stateful_set.contains("spec") || !stateful_set["spec"].is_object()) return;
  Json& spec = stateful_set["spec"];
  if (!spec.contains("volumeClaimTemplates") || !spec["volumeClaimTemplates"].is_array()) return;
  for (Json& claim : spec["volumeClaimTemplates"]) {
    if (!claim.is_object()) continue;
    claim = WithFirst("kind", "PersistentVolumeClaim", std::move(claim));
    claim = WithFirst("apiVersion", "v1", std::move(claim));
  }
}

void DefaultPendingPhase(Json& object) {
  if (!object.contains("status") || !object["status"].is_object()) return;
  Json& status = object["status"];
  const auto phase = status.find("phase");
  if (phase != status.end() && phase->is_string() && !phase->get_ref<const std::string&>().empty()) return;
  status = WithFirst("phase", "Pending", std::move(status));
}

bool IsStatefulSet(std::string_view api_version, std::string_view kind) {
  return kind == "StatefulSet" && api_version.substr(0, 5) == "apps/";
}

bool IsVolumeOrClaim(std::string_view api_version, std::string_view kind) {
  return api_version == "v1" && (kind == "PersistentVolumeClaim" || kind == "PersistentVolume");
}

}  // namespace

bool HasReadConversions(std::string_view api_version, std::string_view kind) {
  return IsStatefulSet(api_version, kind) || IsVolumeOrClaim(api_version, kind);
}

void ApplyReadConversions(Json& object) {
  if (!object.is_object()) return;
  const std::string api_version = object.value("apiVersion", "");
  const std::string kind = object.value("kind", "");
  if (IsStatefulSet(api_version, kind)) {
    AddClaimTemplateTypeMeta(object);
  } else if (IsVolumeOrClaim(api_version, kind)) {
    DefaultPendingPhase(object);
  }
}

}  // namespace ketcd::k8s
