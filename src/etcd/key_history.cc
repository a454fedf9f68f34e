#include "etcd/key_history.h"

namespace ketcd::etcd {

Result<KeyHistory> ReadKeyHistory(RangeReader& reader, const std::string& key, size_t max_versions) {
  KeyHistory history;
  int64_t revision = 0;  // 0: the current one
  while (true) {
    if (history.versions.size() == max_versions) {
      history.stopped_at = KeyHistory::Stop::kLimit;
      break;
    }
    pb::RangeRequest request;
    request.set_key(key);
    request.set_revision(revision);
    auto response = reader.Range(request);
    if (!response.ok()) {
      if (response.status().message().find("compacted") == std::string::npos) return response.status();
      history.stopped_at = KeyHistory::Stop::kCompaction;
      break;
    }
    if (response->kvs_size() == 0) {
      if (history.versions.empty()) return NotFound(key + ": no such key");
      history.stopped_at = KeyHistory::Stop::kDeletion;
      break;
    }
    history.versions.push_back(std::move(*response->mutable_kvs(0)));
    const mvccpb::KeyValue& kv = history.versions.back();
    if (kv.mod_revision() <= kv.create_revision()) break;
    revision = kv.mod_revision() - 1;
  }
  return history;
}

}  // namespace ketcd::etcd
