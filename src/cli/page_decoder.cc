#include "cli/page_decoder.h"

#include <algorithm>
#include <memory>
#include <thread>

#include "cli/list_output.h"
#include "util/yaml_writer.h"

namespace ketcd::cli {
namespace {

// About this many bytes of stored values per task: large enough that
// handing work over costs nothing, small enough to share a page.
constexpr size_t kChunkBytes = 1 << 17;

unsigned WorkerThreads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 8u); }
// Chunks queued or being decoded at most.
size_t ChunksInFlight() { return 4 * WorkerThreads(); }

}  // namespace

PageDecoder::PageDecoder(const Decoder& decoder, ObjectStyle style, std::ostream& out,
                         std::ostream& err, bool explain_undecodable)
    : decoder_(decoder),
      style_(style),
      explain_undecodable_(explain_undecodable),
      out_(out),
      err_(err),
      workers_(WorkerThreads(), ChunksInFlight(), [this](Chunk& chunk) {
        out_.write(chunk.text.data(), static_cast<std::streamsize>(chunk.text.size()));
        err_ << chunk.warnings;
        undecodable_ += chunk.undecodable;
        KeepBuffer(std::move(chunk.text));
      }) {}

std::string PageDecoder::TakeBuffer() {
  std::lock_guard<std::mutex> lock(buffers_mutex_);
  if (buffers_.empty()) return {};
  std::string buffer = std::move(buffers_.back());
  buffers_.pop_back();
  return buffer;
}

void PageDecoder::KeepBuffer(std::string&& buffer) {
  buffer.clear();
  std::lock_guard<std::mutex> lock(buffers_mutex_);
  // As many as chunks can be in flight; more would only hold memory.
  if (buffers_.size() < ChunksInFlight()) buffers_.push_back(std::move(buffer));
}

void PageDecoder::Add(etcd::pb::RangeResponse&& page,
                      const std::function<bool(std::string_view key)>& keep) {
  auto shared = std::make_shared<etcd::pb::RangeResponse>();
  if (keep) {
    for (auto& kv : *page.mutable_kvs()) {
      if (keep(kv.key())) *shared->add_kvs() = std::move(kv);
    }
  } else {
    *shared = std::move(page);
  }
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

Json PageDecoder::DecodeOrRaw(const mvccpb::KeyValue& kv, std::vector<std::string>* warnings,
                              bool* decoded, std::string* error) const {
  Json object = decoder_.DecodeOrRaw(kv, warnings, decoded);
  if (!*decoded) *error = object.value("ketcd.error", "");
  return object;
}

void PageDecoder::Finish() { workers_.Finish(); }

void PageDecoder::Render(const etcd::pb::RangeResponse& page, int begin, int end, size_t first_index,
                         Chunk& chunk) {
  chunk.text = TakeBuffer();
  std::vector<std::string> warnings;
  std::string compact, yaml, error;
  for (int i = begin; i < end; ++i) {
    const auto& kv = page.kvs(i);
    const bool first = first_index + static_cast<size_t>(i - begin) == 0;
    warnings.clear();
    error.clear();
    bool decoded = false;
    switch (style_) {
      case ObjectStyle::kYamlDocuments:
      case ObjectStyle::kKubectlListYaml:
        compact.clear();
        yaml.clear();
        decoder_.AppendJson(kv.key(), kv.value(), kv.mod_revision(), &compact, &warnings, &decoded, &error);
        if (!AppendKubectlYamlFromJson(yaml, compact)) {
          warnings.clear();
          yaml = ToYaml(DecodeOrRaw(kv, &warnings, &decoded, &error));
        }
        if (style_ == ObjectStyle::kYamlDocuments) {
          chunk.text += "---\n" + yaml;
        } else {
          AppendKubectlListItem(chunk.text, OutputFormat::kYaml, yaml, first);
        }
        break;
      case ObjectStyle::kKubectlListJson:
        chunk.text += KubectlListJsonItemStart(first);
        decoder_.AppendJson(kv.key(), kv.value(), kv.mod_revision(), &chunk.text, &warnings, &decoded, &error,
                            kKubectlListItemLayout);
        break;
      case ObjectStyle::kJsonArrayItems:
        chunk.text += first ? "\n" : ",\n";
        decoder_.AppendJson(kv.key(), kv.value(), kv.mod_revision(), &chunk.text, &warnings, &decoded, &error);
        break;
      case ObjectStyle::kJsonLines:
        decoder_.AppendJson(kv.key(), kv.value(), kv.mod_revision(), &chunk.text, &warnings, &decoded, &error);
        chunk.text += '\n';
        break;
    }
    if (!decoded && explain_undecodable_) warnings.push_back(error.empty() ? "not decoded" : error);
    for (const auto& warning : warnings) chunk.warnings += "ketcd: warning: " + kv.key() + ": " + warning + "\n";
    if (!decoded) ++chunk.undecodable;
  }
}

}  // namespace ketcd::cli
