#include "k8s/keyspace_totals.h"

#include <algorithm>

#include "k8s/registry_key.h"

namespace ketcd::k8s {

KeyspaceTotals::Targets KeyspaceTotals::Parse(std::string_view key) {
  const RegistryKey parsed = ParseRegistryKey(key, prefix_);
  KeyTotals* resource = &by_resource_[std::string(parsed.resource)];
  return {resource, &by_namespace_[std::string(parsed.resource)][std::string(parsed.namespace_)]};
}

void KeyspaceTotals::Add(std::string_view key, int64_t bytes) {
  const std::string_view rest = key.substr(0, prefix_.size()) == prefix_ ? key.substr(prefix_.size()) : key;
  const size_t first_slash = rest.find('/');
  Targets targets;
  if (first_slash != std::string_view::npos && rest.find('/', first_slash + 1) != std::string_view::npos) {
    const std::string_view directory = key.substr(0, key.rfind('/') + 1);
    auto known = by_directory_.find(directory);
    if (known == by_directory_.end()) known = by_directory_.emplace(std::string(directory), Parse(key)).first;
    targets = known->second;
  } else {
    targets = Parse(key);
  }
  for (KeyTotals* totals : {targets.resource, targets.namespace_, &all_}) {
    totals->objects += 1;
    totals->bytes += bytes;
  }
  if (keep_largest_ > 0 && (largest_.size() < keep_largest_ || bytes >= largest_.top().bytes)) {
    LargeObject object{bytes, std::string(key)};
    if (largest_.size() == keep_largest_ && !(object > largest_.top())) return;
    largest_.push(std::move(object));
    if (largest_.size() > keep_largest_) largest_.pop();
  }
}

void KeyspaceTotals::AddOldRevision(std::string_view key, int64_t bytes) {
  const std::string_view resource = ParseRegistryKey(key, prefix_).resource;
  auto totals = old_by_resource_.find(resource);
  if (totals == old_by_resource_.end()) totals = old_by_resource_.emplace(std::string(resource), KeyTotals{}).first;
  for (KeyTotals* sum : {&totals->second, &all_old_}) {
    sum->objects += 1;
    sum->bytes += bytes;
  }
}

std::vector<LargeObject> KeyspaceTotals::Largest() const {
  auto heap = largest_;
  std::vector<LargeObject> largest;
  while (!heap.empty()) {
    largest.push_back(heap.top());
    heap.pop();
  }
  std::reverse(largest.begin(), largest.end());
  return largest;
}

}  // namespace ketcd::k8s
