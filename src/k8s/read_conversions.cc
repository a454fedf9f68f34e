#include "k8s/read_conversions.h"

#include <string>
#include <vector>

#include "util/json_string.h"

namespace ketcd::k8s {
namespace {

constexpr size_t kNone = std::string_view::npos;
constexpr std::string_view kClaimTypeMeta = R"("apiVersion":"v1","kind":"PersistentVolumeClaim")";
constexpr std::string_view kPendingPhase = R"("phase":"Pending")";

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

// Compact JSON text, read only as far as needed: positions are of a value's
// first character; kNone where the text is not what the renderers print.
class CompactJson {
 public:
  explicit CompactJson(std::string_view text) : text_(text) {}

  char At(size_t at) const { return at < text_.size() ? text_[at] : '\0'; }

  // Just past the value at `at`.
  size_t Skip(size_t at) const {
    if (At(at) == '"') return SkipString(at);
    if (At(at) != '{' && At(at) != '[') {
      while (at < text_.size() && text_[at] != ',' && text_[at] != '}' && text_[at] != ']') ++at;
      return at;
    }
    int depth = 0;
    while (at < text_.size()) {
      const char c = text_[at];
      if (c == '"') {
        at = SkipString(at);
        if (at == kNone) return kNone;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return at + 1;
      ++at;
    }
    return kNone;
  }

  // The value of member `key` (a key printed without escapes) of the
  // object at `object`.
  size_t Member(size_t object, std::string_view key) const {
    if (At(object) != '{') return kNone;
    size_t at = object + 1;
    while (At(at) == '"') {
      const size_t key_end = SkipString(at);
      if (key_end == kNone || At(key_end) != ':') return kNone;
      if (text_.substr(at + 1, key_end - at - 2) == key) return key_end + 1;
      at = Skip(key_end + 1);
      if (At(at) == ',') ++at;
    }
    return kNone;
  }

  // The elements of the array at `array`.
  std::vector<size_t> Elements(size_t array) const {
    std::vector<size_t> elements;
    size_t at = array + 1;
    while (at < text_.size() && text_[at] != ']') {
      elements.push_back(at);
      at = Skip(at);
      if (At(at) == ',') ++at;
    }
    return elements;
  }

 private:
  size_t SkipString(size_t at) const { return JsonStringEnd(text_, at); }

  std::string_view text_;
};

// `member` as the first member of the object at `object`.
void InsertFirst(std::string& text, size_t object, std::string_view member) {
  const bool empty = text[object + 1] == '}';
  text.insert(object + 1, std::string(member) + (empty ? "" : ","));
}

bool AddClaimTemplateTypeMetaToText(std::string& text, size_t start) {
  const CompactJson json(std::string_view(text).substr(start));
  const size_t spec = json.Member(0, "spec");
  const size_t claims = json.Member(spec, "volumeClaimTemplates");
  if (json.At(claims) != '[') return true;  // none, or null
  const std::vector<size_t> elements = json.Elements(claims);
  for (size_t claim : elements) {
    // Claims carry no TypeMeta of their own in protobuf; one that has
    // these keys is for the object form to place.
    if (json.At(claim) != '{' || json.Member(claim, "kind") != kNone ||
        json.Member(claim, "apiVersion") != kNone) {
      return false;
    }
  }
  // From the back, so that earlier positions stay valid.
  for (auto claim = elements.rbegin(); claim != elements.rend(); ++claim) {
    InsertFirst(text, start + *claim, kClaimTypeMeta);
  }
  return true;
}

bool DefaultPendingPhaseInText(std::string& text, size_t start) {
  const CompactJson json(std::string_view(text).substr(start));
  const size_t status = json.Member(0, "status");
  if (json.At(status) != '{') return true;
  const size_t phase = json.Member(status, "phase");
  if (phase != kNone) {
    // Set (Go omits an empty phase); anything else is for the object form.
    return json.At(phase) == '"' && json.At(phase + 1) != '"';
  }
  InsertFirst(text, start + status, kPendingPhase);
  return true;
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

bool ApplyReadConversionsToText(std::string_view api_version, std::string_view kind, std::string& text,
                                size_t start) {
  if (IsStatefulSet(api_version, kind)) return AddClaimTemplateTypeMetaToText(text, start);
  if (IsVolumeOrClaim(api_version, kind)) return DefaultPendingPhaseInText(text, start);
  return true;
}

}  // namespace ketcd::k8s
