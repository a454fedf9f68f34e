#include "backup/manifest.h"

#include <nlohmann/json.hpp>

#include "util/utc_time.h"

namespace ketcd::backup {

using Json = nlohmann::json;

namespace {

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool IsSha256Hex(const std::string& text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The field's value when it has the JSON type of `T` (or is absent: `fallback`).
template <typename T>
Result<T> Field(const Json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) return it->template get<std::string>();
    return DataLoss(std::string("manifest field ") + key + " is not a string");
  } else {
    if (it->is_number_integer() && it->template get<int64_t>() >= 0) return it->template get<int64_t>();
    return DataLoss(std::string("manifest field ") + key + " is not a non-negative integer");
  }
}

// A delta's chain: names that are backup names, revisions and times in order.
Status ParseDeltaFields(const Json& j, Manifest& m) {
  for (auto [key, field] : {std::pair{"chain", &m.chain}, {"previous", &m.previous}, {"chainEnd", &m.chain_end}}) {
    auto value = Field<std::string>(j, key, "");
    if (!value.ok()) return value.status();
    *field = *value;
  }
  for (auto [key, field] : {std::pair{"firstRevision", &m.first_revision},
                            {"firstSeenUnixMillis", &m.first_seen_millis},
                            {"lastSeenUnixMillis", &m.last_seen_millis}}) {
    auto value = Field<int64_t>(j, key, 0);
    if (!value.ok()) return value.status();
    *field = *value;
  }
  if (!IsBackupName(m.chain) || !IsBackupName(m.previous)) {
    return DataLoss(m.name + ": delta manifest names no valid chain or previous backup");
  }
  if (m.first_revision < 1 || m.first_revision > m.revision || m.first_seen_millis > m.last_seen_millis) {
    return DataLoss(m.name + ": delta manifest's revisions or times are out of order");
  }
  // A word printed by backup list: nothing a terminal would act on.
  const bool word = m.chain_end.size() <= 40 &&
                    m.chain_end.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string::npos;
  if (!word) return DataLoss(m.name + ": delta manifest's chainEnd is not a word");
  return Status::Ok();
}

}  // namespace

bool IsBackupName(std::string_view name) {
  if (name.empty() || name.size() > 200 || !IsAlnum(name.front())) return false;
  for (char c : name) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::string ObjectName(const std::string& name, bool encrypted, BackupKind kind) {
  if (kind == BackupKind::kDelta) return name + (encrypted ? kEncryptedDeltaSuffix : kPlainDeltaSuffix);
  return name + (encrypted ? kEncryptedObjectSuffix : kPlainObjectSuffix);
}

std::string ManifestText(const Manifest& m) {
  Json j = {{"name", m.name}, {"object", m.object}, {"sha256", m.sha256}, {"objectBytes", m.object_bytes},
          {"snapshotBytes", m.snapshot_bytes}, {"revision", m.revision}, {"totalKeys", m.total_keys},
          {"etcdVersion", m.etcd_version}, {"clusterID", m.cluster_id}, {"created", Rfc3339Utc(m.created)},
          {"createdUnix", m.created}, {"compression", "zstd"},
          {"encryption", m.encrypted ? "aes-256-gcm" : "none"}};
  if (m.kind == BackupKind::kDelta) {
    j["kind"] = "delta";
    j["chain"] = m.chain;
    j["previous"] = m.previous;
    j["firstRevision"] = m.first_revision;
    j["firstSeenUnixMillis"] = m.first_seen_millis;
    j["lastSeenUnixMillis"] = m.last_seen_millis;
    if (!m.chain_end.empty()) j["chainEnd"] = m.chain_end;
  }
  return j.dump(2) + "\n";
}

Result<Manifest> ParseManifest(const std::string& text) {
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return DataLoss("not a backup manifest (not a JSON object)");
  Manifest m;
  std::string encryption;
  for (auto [key, field] : {std::pair{"name", &m.name}, {"object", &m.object}, {"sha256", &m.sha256},
                            {"etcdVersion", &m.etcd_version}, {"clusterID", &m.cluster_id}}) {
    auto value = Field<std::string>(j, key, "");
    if (!value.ok()) return value.status();
    *field = *value;
  }
  auto read_encryption = Field<std::string>(j, "encryption", "none");
  if (!read_encryption.ok()) return read_encryption.status();
  for (auto [key, field] : {std::pair{"objectBytes", &m.object_bytes}, {"snapshotBytes", &m.snapshot_bytes},
                            {"revision", &m.revision}, {"totalKeys", &m.total_keys}, {"createdUnix", &m.created}}) {
    auto value = Field<int64_t>(j, key, 0);
    if (!value.ok()) return value.status();
    *field = *value;
  }
  if (!IsBackupName(m.name)) return DataLoss("manifest names no valid backup (\"" + m.name.substr(0, 80) + "\")");
  if (*read_encryption != "none" && *read_encryption != "aes-256-gcm") {
    return DataLoss(m.name + ": manifest has an unknown encryption \"" + read_encryption->substr(0, 40) + "\"");
  }
  m.encrypted = *read_encryption == "aes-256-gcm";
  auto kind = Field<std::string>(j, "kind", "snapshot");
  if (!kind.ok()) return kind.status();
  if (*kind != "snapshot" && *kind != "delta") {
    return DataLoss(m.name + ": manifest has an unknown kind \"" + kind->substr(0, 40) + "\"");
  }
  m.kind = *kind == "delta" ? BackupKind::kDelta : BackupKind::kSnapshot;
  if (m.kind == BackupKind::kDelta) KETCD_RETURN_IF_ERROR(ParseDeltaFields(j, m));
  if (m.object != ObjectName(m.name, m.encrypted, m.kind)) {
    return DataLoss(m.name + ": manifest's object is not " + ObjectName(m.name, m.encrypted, m.kind));
  }
  if (!IsSha256Hex(m.sha256)) return DataLoss(m.name + ": manifest's sha256 is not 64 hex digits");
  return m;
}

}  // namespace ketcd::backup
