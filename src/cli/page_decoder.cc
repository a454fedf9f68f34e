#include "cli/page_decoder.h"

#include <algorithm>
#include <thread>

namespace ketcd::cli {
namespace {

// About this many bytes of stored values per task: large enough that
// handing work over costs nothing, small enough to share a page.
constexpr size_t kChunkBytes = 1 << 20;

unsigned WorkerThreads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 8u); }

}  // namespace

PageDecoder::PageDecoder(const Decoder& decoder, OutputFormat format, std::ostream& out,
                         std::ostream& err)
    : decoder_(decoder),
      format_(format),
      out_(out),
      err_(err),
      workers_(WorkerThreads(), 4 * WorkerThreads(), [this](Chunk& chunk) {
        out_.write(chunk.text.data(), static_cast<std::streamsize>(chunk.text.size()));
        err_ << chunk.warnings;
        undecodable_ += chunk.undecodable;
      }) {}

void PageDecoder::Add(etcd::pb::RangeResponse&& page) {
  auto shared = std::make_shared<const etcd::pb::RangeResponse>(std::move(page));
  const int count = shared->kvs_size();
  for (int begin = 0; begin < count;) {
    int end = begin;
    size_t bytes = 0;
    while (end < count && (end == begin || bytes < kChunkBytes)) bytes += shared->kvs(end++).value().size();
    workers_.Submit([this, shared, begin, end, first_index = added_](Chunk& chunk) {
      Render(*shared, begin, end, first_index, chunk);
    });
    added_ += static_cast<size_t>(end - begin);
    begin = end;
  }
}

void PageDecoder::Finish() { workers_.Finish(); }

void PageDecoder::Render(const etcd::pb::RangeResponse& page, int begin, int end, size_t first_index,
                         Chunk& chunk) const {
  std::vector<std::string> warnings;
  for (int i = begin; i < end; ++i) {
    const auto& kv = page.kvs(i);
    warnings.clear();
    bool decoded = false;
    if (format_ == OutputFormat::kYaml) {
      chunk.text += "---\n" + ToYaml(decoder_.DecodeOrRaw(kv, &warnings, &decoded));
    } else {
      if (format_ == OutputFormat::kJson) chunk.text += (first_index + static_cast<size_t>(i - begin)) > 0 ? ",\n" : "\n";
      decoder_.AppendJson(kv.key(), kv.value(), kv.mod_revision(), &chunk.text, &warnings, &decoded);
      if (format_ == OutputFormat::kJsonLines) chunk.text += '\n';
    }
    for (const auto& warning : warnings) chunk.warnings += "ketcd: warning: " + kv.key() + ": " + warning + "\n";
    if (!decoded) ++chunk.undecodable;
  }
}

}  // namespace ketcd::cli
