// A minimal HTTP server for /metrics and /healthz: GET only, one request
// per connection, answered from a handler on the server's own thread. Each
// client must send its request head within 2 s of connecting (an absolute
// deadline, however it trickles its bytes) and at most 32 are served at
// once, so a slow or idle client cannot starve a liveness probe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "util/status.h"

namespace ketcd::backup {

struct HttpAnswer {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class MetricsServer {
 public:
  using Handler = std::function<HttpAnswer(const std::string& path)>;
  // `listen`: "HOST:PORT" or ":PORT" (every address); port 0 picks one.
  static Result<std::unique_ptr<MetricsServer>> Start(const std::string& listen, Handler handler);
  ~MetricsServer();
  int port() const { return port_; }

 private:
  MetricsServer(int fd, int port, Handler handler);
  void Serve();
  void Answer(int connection, const std::string& request);
  int listen_fd_, port_, wake_[2];
  Handler handler_;
  std::thread thread_;
};

}  // namespace ketcd::backup
