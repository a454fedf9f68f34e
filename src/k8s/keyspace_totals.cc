#include "k8s/keyspace_totals.h"

#include <algorithm>

#include "k8s/registry_key.h"

namespace ketcd::k8s {

void KeyspaceTotals::Add(std::string_view key, int64_t bytes) {
  // A key right under the previous key's namespace ("/registry/pods/ns/")
  // belongs to the same resource and namespace: no need to parse it.
  const bool same_namespace = !namespace_path_.empty() && key.size() > namespace_path_.size() &&
                              key.compare(0, namespace_path_.size(), namespace_path_) == 0 &&
                              key.find('/', namespace_path_.size()) == std::string_view::npos;
  if (!same_namespace) {
    auto parsed = ParseRegistryKey(key, prefix_);
    namespace_path_.clear();
    if (!parsed.namespace_.empty()) {
      namespace_path_ = key.substr(0, static_cast<size_t>(parsed.namespace_.data() - key.data()) +
                                          parsed.namespace_.size() + 1);
    }
    if (resource_ == nullptr || parsed.resource != resource_name_ || parsed.namespace_ != namespace_name_) {
      resource_name_ = parsed.resource;
      namespace_name_ = parsed.namespace_;
      resource_ = &by_resource_[resource_name_];
      namespace_ = &by_namespace_[resource_name_][namespace_name_];
    }
  }
  for (KeyTotals* totals : {resource_, namespace_, &all_}) {
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
