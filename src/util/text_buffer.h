// An append-only text buffer for renderers that write millions of short
// pieces (a comma, a key, a line of indentation): appends are an inlined
// bounds check and a copy through a raw pointer, where std::string's
// push_back and append are out-of-line calls (libstdc++ declares the
// string template extern) that cost more than the bytes they copy.
// Reused from object to object, it keeps its capacity and is never zeroed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace ketcd {

class TextBuffer {
 public:
  size_t size() const { return static_cast<size_t>(end_ - begin_); }
  std::string_view view(size_t from = 0) const { return {begin_ + from, size() - from}; }

  void Append(char c) {
    Reserve(1);
    *end_++ = c;
  }
  void Append(std::string_view text) {
    Reserve(text.size());
    if (!text.empty()) std::memcpy(end_, text.data(), text.size());
    end_ += text.size();
  }

  // Room for `bytes` more: write them at Cursor(), then Advance past them.
  char* Cursor(size_t bytes) {
    Reserve(bytes);
    return end_;
  }
  void Advance(size_t bytes) { end_ += bytes; }

  // Drops everything past `size` (a size() taken earlier).
  void Truncate(size_t size) { end_ = begin_ + size; }
  void Clear() { end_ = begin_; }

 private:
  void Reserve(size_t bytes) {
    if (static_cast<size_t>(limit_ - end_) < bytes) Grow(bytes);
  }
  void Grow(size_t bytes) {
    const size_t used = size();
    size_t capacity = std::max<size_t>(4096, 2 * static_cast<size_t>(limit_ - begin_));
    while (capacity - used < bytes) capacity *= 2;
    std::unique_ptr<char[]> larger(new char[capacity]);  // not zeroed: only written bytes are read
    if (used > 0) std::memcpy(larger.get(), begin_, used);
    storage_ = std::move(larger);
    begin_ = storage_.get();
    end_ = begin_ + used;
    limit_ = begin_ + capacity;
  }

  std::unique_ptr<char[]> storage_;
  char* begin_ = nullptr;
  char* end_ = nullptr;
  char* limit_ = nullptr;
};

}  // namespace ketcd
