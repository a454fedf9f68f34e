// Decoding pages of stored objects on every core: each page is split into
// chunks that worker threads render while the next page is fetched, and
// the text is written in key order. Memory stays bounded: a few pages in
// flight at most.
#pragma once

#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/decoding_options.h"
#include "cli/output.h"
#include "etcd/range_reader.h"
#include "util/ordered_workers.h"

namespace ketcd::cli {

// How each object is printed.
enum class ObjectStyle {
  kJsonLines,        // one compact JSON object per line
  kJsonArrayItems,   // the items of a JSON array: "\n" before the first, ",\n" before the others
  kYamlDocuments,    // "---" and the object as YAML
  kKubectlListJson,  // items of kubectl's List (list_output.h)
  kKubectlListYaml,
};

class PageDecoder {
 public:
  // Warnings go to `err`, prefixed with the key; `explain_undecodable`:
  // with one saying why for each object not decoded.
  PageDecoder(const Decoder& decoder, ObjectStyle style, std::ostream& out, std::ostream& err,
              bool explain_undecodable = false);

  // Takes a page's objects (those `keep` accepts, by key); their text is
  // written once every page before it has been.
  void Add(etcd::pb::RangeResponse&& page,
           const std::function<bool(std::string_view key)>& keep = nullptr);
  // Writes what is still pending.
  void Finish();

  size_t decoded() const { return added_; }
  size_t undecodable() const { return undecodable_; }

 private:
  struct Chunk {
    std::string text;
    std::string warnings;
    size_t undecodable = 0;
  };
  Json DecodeOrRaw(const mvccpb::KeyValue& kv, std::vector<std::string>* warnings, bool* decoded,
                   std::string* error) const;
  void Render(const etcd::pb::RangeResponse& page, int begin, int end, size_t first_index,
              Chunk& chunk);
  // Text buffers written out are kept for later chunks: growing fresh
  // megabyte strings for every chunk costs page faults and copies.
  std::string TakeBuffer();
  void KeepBuffer(std::string&& buffer);

  const Decoder& decoder_;
  const ObjectStyle style_;
  const bool explain_undecodable_;
  std::ostream& out_;
  std::ostream& err_;
  size_t added_ = 0;
  size_t undecodable_ = 0;
  std::mutex buffers_mutex_;
  std::vector<std::string> buffers_;
  OrderedWorkers<Chunk> workers_;
};

}  // namespace ketcd::cli
