// A ByteSink that hands its bytes to a thread feeding another sink, so the
// producer (a snapshot arriving from etcd) and the consumer (compression,
// encryption, uploads) run at the same time. At most `limit` bytes wait in
// between; Write blocks while that is full.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "backup/byte_stream.h"

namespace ketcd::backup {

class AsyncSink : public ByteSink {
 public:
  AsyncSink(ByteSink& inner, size_t limit);
  // Without Finish: what is queued is dropped and `inner` is not finished.
  ~AsyncSink() override;
  // The consumer's first error, once it has one (the bytes are dropped).
  Status Write(std::string_view bytes) override;
  // Waits for the queue to drain, finishes `inner`; its first error.
  Status Finish() override;

 private:
  void Consume();
  ByteSink& inner_;
  const size_t limit_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool closing_ = false, abandoned_ = false;
  Status status_;
  std::thread worker_;
};

}  // namespace ketcd::backup
