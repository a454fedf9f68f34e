// Decoding pages of stored objects on every core: each page is split into
// chunks that worker threads render while the next page is fetched, and
// the text is written in key order. Memory stays bounded: a few pages in
// flight at most.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "cli/decoding_options.h"
#include "cli/output.h"
#include "etcd/range_reader.h"
#include "util/ordered_workers.h"

namespace ketcd::cli {

class PageDecoder {
 public:
  // `format`: kJsonLines (one object per line), kJson (the objects of a
  // JSON array: "\n" before the first, ",\n" before the others) or kYaml
  // ("---" documents). Warnings go to `err`, prefixed with the key.
  PageDecoder(const Decoder& decoder, OutputFormat format, std::ostream& out, std::ostream& err);

  // Takes a page's objects; their text is written once every page before
  // it has been.
  void Add(etcd::pb::RangeResponse&& page);
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
  void Render(const etcd::pb::RangeResponse& page, int begin, int end, size_t first_index,
              Chunk& chunk) const;

  const Decoder& decoder_;
  const OutputFormat format_;
  std::ostream& out_;
  std::ostream& err_;
  size_t added_ = 0;
  size_t undecodable_ = 0;
  OrderedWorkers<Chunk> workers_;
};

}  // namespace ketcd::cli
