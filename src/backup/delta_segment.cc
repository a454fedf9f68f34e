#include "backup/delta_segment.h"

#include "util/varint.h"

namespace ketcd::backup {
namespace {

std::string At(int64_t revision) { return "delta segment, revision " + std::to_string(revision) + ": "; }

// What etcd's watch can send for `revision`; why not, else empty.
std::string EventProblem(const mvccpb::Event& event, int64_t revision) {
  const mvccpb::KeyValue& kv = event.kv();
  if (event.type() != mvccpb::Event::PUT && event.type() != mvccpb::Event::DELETE) return "unknown event type";
  if (kv.key().empty()) return "an event without a key";
  if (kv.mod_revision() != revision) {
    return "an event of revision " + std::to_string(kv.mod_revision()) + " in its block";
  }
  if (event.type() == mvccpb::Event::PUT &&
      (kv.create_revision() < 1 || kv.create_revision() > revision || kv.version() < 1)) {
    return "a put whose create revision or version is impossible";
  }
  return "";
}

}  // namespace

Status DeltaSegmentWriter::Write(std::string_view bytes) {
  plain_bytes_ += static_cast<int64_t>(bytes.size());
  return out_.Write(bytes);
}

Status DeltaSegmentWriter::Add(const DeltaRevision& revision) {
  if (revision.events.empty()) return InvalidArgument(At(revision.revision) + "no events");
  if (revision.revision <= last_revision_ || revision.unix_millis < last_unix_millis_ || revision.unix_millis < 0) {
    return InvalidArgument(At(revision.revision) + "out of order (after revision " + std::to_string(last_revision_) +
                           ")");
  }
  block_.clear();
  for (const mvccpb::Event& event : revision.events) {
    if (const std::string problem = EventProblem(event, revision.revision); !problem.empty()) {
      return InvalidArgument(At(revision.revision) + problem);
    }
    const std::string bytes = event.SerializeAsString();
    AppendVarint(block_, bytes.size());
    block_ += bytes;
  }
  if (block_.size() > kMaxDeltaBlockBytes) return InvalidArgument(At(revision.revision) + "larger than a block may be");
  std::string header;
  if (first_revision_ == 0) {
    header = kDeltaSegmentMagic;
    first_revision_ = revision.revision;
    first_unix_millis_ = revision.unix_millis;
  }
  AppendVarint(header, static_cast<uint64_t>(revision.revision));
  AppendVarint(header, static_cast<uint64_t>(revision.unix_millis));
  AppendVarint(header, block_.size());
  KETCD_RETURN_IF_ERROR(Write(header));
  KETCD_RETURN_IF_ERROR(Write(block_));
  last_revision_ = revision.revision;
  last_unix_millis_ = revision.unix_millis;
  events_ += static_cast<int64_t>(revision.events.size());
  return Status::Ok();
}

Status DeltaSegmentWriter::Finish() {
  // An empty segment still says what it is.
  if (first_revision_ == 0) KETCD_RETURN_IF_ERROR(Write(kDeltaSegmentMagic));
  return out_.Finish();
}

Status DeltaSegmentReader::Write(std::string_view bytes) {
  buffer_.append(bytes);
  return ParseBlocks();
}

Status DeltaSegmentReader::ParseBlocks() {
  std::string_view rest = buffer_;
  if (!magic_seen_) {
    if (rest.size() < kDeltaSegmentMagic.size()) {
      return kDeltaSegmentMagic.starts_with(rest) ? Status::Ok() : DataLoss("not a delta segment");
    }
    if (!rest.starts_with(kDeltaSegmentMagic)) return DataLoss("not a delta segment");
    rest.remove_prefix(kDeltaSegmentMagic.size());
    magic_seen_ = true;
  }
  while (!rest.empty()) {
    std::string_view block = rest;
    uint64_t revision, unix_millis, size;
    // A header cut short: wait for more bytes (at most 30, or it is corrupt).
    if (!ReadVarint(block, &revision) || !ReadVarint(block, &unix_millis) || !ReadVarint(block, &size)) {
      if (rest.size() >= 30) return DataLoss(At(last_revision_) + "a malformed block follows it");
      break;
    }
    if (revision > INT64_MAX || unix_millis > INT64_MAX || size > kMaxDeltaBlockBytes) {
      return DataLoss(At(last_revision_) + "a malformed block follows it");
    }
    const auto number = static_cast<int64_t>(revision);
    if (number <= last_revision_ || static_cast<int64_t>(unix_millis) < last_unix_millis_) {
      return DataLoss(At(number) + "out of order (after revision " + std::to_string(last_revision_) + ")");
    }
    if (block.size() < size) break;  // the rest of the block is still to come
    std::string_view events = block.substr(0, size);
    DeltaRevision parsed{number, static_cast<int64_t>(unix_millis), {}};
    while (!events.empty()) {
      uint64_t length;
      if (!ReadVarint(events, &length) || length > events.size()) return DataLoss(At(number) + "an event is cut short");
      mvccpb::Event& event = parsed.events.emplace_back();
      if (!event.ParseFromArray(events.data(), static_cast<int>(length))) {
        return DataLoss(At(number) + "an event does not parse");
      }
      if (const std::string problem = EventProblem(event, number); !problem.empty()) {
        return DataLoss(At(number) + problem);
      }
      events.remove_prefix(length);
    }
    if (parsed.events.empty()) return DataLoss(At(number) + "no events");
    last_revision_ = number;
    last_unix_millis_ = parsed.unix_millis;
    rest = block.substr(size);
    KETCD_RETURN_IF_ERROR(on_revision_(std::move(parsed)));
  }
  buffer_.erase(0, buffer_.size() - rest.size());
  return Status::Ok();
}

Status DeltaSegmentReader::Finish() {
  if (!magic_seen_) return DataLoss("not a delta segment");
  if (!buffer_.empty()) return DataLoss(At(last_revision_) + "the segment ends inside the next block");
  return Status::Ok();
}

}  // namespace ketcd::backup
