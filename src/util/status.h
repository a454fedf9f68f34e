// Status and Result<T>: how every ketcd component reports failure.
//
// No exceptions cross component boundaries. A function that can fail returns a
// Status (success or an error) or a Result<T> (a value or an error). Messages
// name the object and the cause, e.g. "https://10.0.0.1:2379: connection
// refused", so the CLI can print them as one line.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace ketcd {

// Error classes the CLI maps to exit codes (see src/cli/exit_codes.h).
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // bad input given by the user: flags, files, URLs
  kUnavailable,      // cannot reach an endpoint / TLS handshake failed
  kUnauthenticated,  // wrong password, rejected certificate identity
  kFailed,           // the operation reached etcd and failed there
  kNotFound,
  kDataLoss,  // corrupt or truncated data
  kIo,        // local file system error
  kInternal,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns this status with "context: " in front of the message.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

  std::string ToString() const { return ok() ? "OK" : message_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
inline Status Failed(std::string m) { return {ErrorCode::kFailed, std::move(m)}; }
inline Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Status DataLoss(std::string m) { return {ErrorCode::kDataLoss, std::move(m)}; }
inline Status IoError(std::string m) { return {ErrorCode::kIo, std::move(m)}; }
inline Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

// A value or an error. Accessing the value of an error Result is a bug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace ketcd

// Propagates a failed Status from the current function.
#define KETCD_RETURN_IF_ERROR(expr)    \
  do {                                 \
    ::ketcd::Status _status = (expr);  \
    if (!_status.ok()) return _status; \
  } while (0)
