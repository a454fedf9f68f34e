// What the S3 and Azure Blob destinations do alike: objects are read with a
// GET streamed into the sink and removed with a DELETE (gone already is
// fine). `Store` is the store's signed-request client (S3Store, AzureStore).
#pragma once

#include <string>

#include "backup/destination.h"

namespace ketcd::backup {

template <typename Store>
class ObjectStoreDestination : public Destination {
 public:
  template <typename Options>
  explicit ObjectStoreDestination(Options options) : store_(std::move(options)) {}
  std::string Describe() const override { return store_.options().url; }

  Status Read(const std::string& name, ByteSink& out) override {
    auto read = store_.Call("GET", store_.options().prefix + name, {}, {}, &out);
    return read.ok() ? out.Finish() : read.status();
  }

  Status Remove(const std::string& name) override {
    auto removed = store_.Call("DELETE", store_.options().prefix + name, {});
    return removed.ok() || removed.status().code() == ErrorCode::kNotFound ? Status::Ok() : removed.status();
  }

 protected:
  Store store_;
};

}  // namespace ketcd::backup
