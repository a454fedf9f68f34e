// Work done on several threads whose results are consumed in the order the
// work was submitted: decoding pages of objects on every core while the
// output stays in key order. At most `max_pending` tasks are queued or
// running (Submit waits, consuming finished results, when that many are),
// so memory stays bounded by the caller's task size.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ketcd {

template <typename Output>
class OrderedWorkers {
 public:
  using Task = std::function<void(Output&)>;
  using Sink = std::function<void(Output&)>;

  // `sink` runs on the thread calling Submit and Finish, in submission order.
  OrderedWorkers(unsigned threads, size_t max_pending, Sink sink)
      : max_pending_(std::max<size_t>(1, max_pending)), sink_(std::move(sink)) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i) threads_.emplace_back([this] { Work(); });
  }
  OrderedWorkers(const OrderedWorkers&) = delete;
  OrderedWorkers& operator=(const OrderedWorkers&) = delete;
  ~OrderedWorkers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  void Submit(Task task) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (slots_.size() >= max_pending_) ConsumeFront(lock);
    slots_.push_back(Slot{std::move(task), Output(), false, false});
    work_ready_.notify_one();
  }

  // Waits for every task and consumes the remaining results.
  void Finish() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!slots_.empty()) ConsumeFront(lock);
  }

 private:
  struct Slot {
    Task task;
    Output output;
    bool started = false;
    bool done = false;
  };

  // Waits for the oldest task, then hands its result to the sink with the
  // lock released (the workers go on meanwhile).
  void ConsumeFront(std::unique_lock<std::mutex>& lock) {
    front_done_.wait(lock, [this] { return slots_.front().done; });
    Output output = std::move(slots_.front().output);
    slots_.pop_front();
    lock.unlock();
    sink_(output);
    lock.lock();
  }

  void Work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      Slot* slot = nullptr;
      work_ready_.wait(lock, [&] {
        if (stopping_) return true;  // tasks not started are dropped
        for (Slot& candidate : slots_) {
          if (!candidate.started) {
            slot = &candidate;
            return true;
          }
        }
        return false;
      });
      if (slot == nullptr) return;
      slot->started = true;
      // std::deque keeps elements in place while others are added or the
      // front is removed; this slot is removed only once done.
      lock.unlock();
      slot->task(slot->output);
      lock.lock();
      slot->done = true;
      front_done_.notify_all();
    }
  }

  const size_t max_pending_;
  Sink sink_;
  std::mutex mutex_;
  std::condition_variable work_ready_, front_done_;
  std::deque<Slot> slots_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ketcd
