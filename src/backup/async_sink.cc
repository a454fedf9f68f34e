#include "backup/async_sink.h"

namespace ketcd::backup {

AsyncSink::AsyncSink(ByteSink& inner, size_t limit) : inner_(inner), limit_(limit) {
  worker_ = std::thread([this] { Consume(); });
}

AsyncSink::~AsyncSink() {
  {
    std::lock_guard lock(mutex_);
    if (!closing_) abandoned_ = closing_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Status AsyncSink::Write(std::string_view bytes) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !status_.ok() || queued_bytes_ < limit_; });
  if (!status_.ok()) return status_;
  queue_.emplace_back(bytes);
  queued_bytes_ += bytes.size();
  changed_.notify_all();
  return Status::Ok();
}

Status AsyncSink::Finish() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  worker_.join();
  return status_;
}

void AsyncSink::Consume() {
  for (;;) {
    std::string chunk;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (abandoned_) return;
      if (queue_.empty()) break;  // closing, drained
      chunk = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= chunk.size();
    }
    changed_.notify_all();
    if (!status_.ok()) continue;  // failed: drain without writing
    Status written = inner_.Write(chunk);
    std::lock_guard lock(mutex_);
    if (!written.ok()) status_ = written;
    changed_.notify_all();
  }
  Status finished = inner_.Finish();
  std::lock_guard lock(mutex_);
  if (status_.ok()) status_ = finished;
}

}  // namespace ketcd::backup
