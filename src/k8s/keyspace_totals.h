// What `ls` and `stats` count: objects and bytes per Kubernetes resource and
// namespace, and the largest objects. Keys are added one at a time and only
// the totals are kept; in key order adding is cheapest (a key under the
// previous key's namespace is not parsed again), any order counts the same.
#pragma once

#include <cstdint>
#include <map>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ketcd::k8s {

struct KeyTotals {
  int64_t objects = 0;
  int64_t bytes = 0;  // key + value, as etcd stores them
};

struct LargeObject {
  int64_t bytes;
  std::string key;
  // Larger first; of equal sizes the first in key order, so the top N do
  // not depend on the order keys are added in.
  bool operator>(const LargeObject& other) const {
    return bytes != other.bytes ? bytes > other.bytes : key < other.key;
  }
};

class KeyspaceTotals {
 public:
  // `prefix`: what registry keys start with ("/registry/"); `keep_largest`:
  // how many of the largest objects to remember.
  KeyspaceTotals(std::string prefix, size_t keep_largest) : prefix_(std::move(prefix)), keep_largest_(keep_largest) {}

  void Add(std::string_view key, int64_t bytes);
  // A revision older than the key's current one, or a deletion: history
  // that a compaction would free, counted per resource apart from the
  // objects (a resource whose objects are all gone may still hold some).
  void AddOldRevision(std::string_view key, int64_t bytes);

  const std::map<std::string, KeyTotals>& by_resource() const { return by_resource_; }
  // resource -> namespace ("" for cluster-scoped objects) -> totals.
  const std::map<std::string, std::map<std::string, KeyTotals>>& by_namespace() const { return by_namespace_; }
  const KeyTotals& all() const { return all_; }
  const std::map<std::string, KeyTotals, std::less<>>& old_revisions_by_resource() const {
    return old_by_resource_;
  }
  const KeyTotals& old_revisions() const { return all_old_; }
  // The largest objects, largest first.
  std::vector<LargeObject> Largest() const;

 private:
  const std::string prefix_;
  const size_t keep_largest_;
  std::map<std::string, KeyTotals> by_resource_;
  std::map<std::string, std::map<std::string, KeyTotals>> by_namespace_;
  KeyTotals all_;
  std::map<std::string, KeyTotals, std::less<>> old_by_resource_;
  KeyTotals all_old_;
  // Smallest on top, so it can be trimmed.
  std::priority_queue<LargeObject, std::vector<LargeObject>, std::greater<>> largest_;
  // What a key counts toward, found once per directory: a key of three
  // parts or more after the prefix has the resource and namespace its
  // directory says ("pods/ns/", "x.io/things/ns/"); a two-part key is
  // parsed each time, as its last part may belong to the resource
  // ("x.io/things", "services/specs"). Keys come in any order (an
  // unordered walk gives them by revision).
  struct Targets {
    KeyTotals* resource;
    KeyTotals* namespace_;
  };
  struct DirectoryHash {
    using is_transparent = void;
    size_t operator()(std::string_view directory) const { return std::hash<std::string_view>{}(directory); }
  };
  Targets Parse(std::string_view key);
  std::unordered_map<std::string, Targets, DirectoryHash, std::equal_to<>> by_directory_;
};

}  // namespace ketcd::k8s
