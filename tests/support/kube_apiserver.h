// KubeApiServer: a throwaway kube-apiserver (the peer kubernetes-1.37 that
// scripts/install-peers builds) for integration tests, on a loopback port
// chosen at run time, storing into a harness etcd.
//
// It gets its own directory with a test PKI (its serving certificate for
// 127.0.0.1, which also signs service-account tokens), a static admin token
// (group system:masters) and its log, kept until the object is destroyed so
// tests can assert on it. Requests go over HTTPS with that token through
// libcurl, so no kubectl (and no client/server version skew) is involved.
// On request it also starts kube-controller-manager against it.
//
// Callers check MissingPeer(kKubernetesPeer, "kube-apiserver") first and skip.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/etcd_cluster.h"
#include "support/process.h"
#include "support/test_pki.h"
#include "util/status.h"

namespace ketcd::testing {

inline constexpr char kKubernetesPeer[] = "kubernetes-1.37";

struct KubeApiServerOptions {
  std::string service_cluster_ip_range = "10.96.0.0/16";
  std::string etcd_prefix = "/registry";
  std::vector<std::string> extra_args;
};

struct KubeResponse {
  long code = 0;  // HTTP status
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class KubeApiServer {
 public:
  // Starts it against every running member of `etcd` (with its client
  // certificate when the cluster uses TLS) and waits until /readyz answers 200.
  static Result<std::unique_ptr<KubeApiServer>> Start(const EtcdCluster& etcd,
                                                      const KubeApiServerOptions& options = {});
  ~KubeApiServer();

  // SIGTERM and wait (Kubernetes' graceful shutdown); Start() again with the
  // same settings, waiting for /readyz.
  void Stop();
  Status Restart();
  // Sets --FLAG=value for the next Restart() (replacing an earlier value):
  // the API server started again as an operator would after a change.
  void SetFlag(const std::string& flag, const std::string& value);

  std::string Url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string LogPath() const { return dir_ + "/kube-apiserver.log"; }
  std::string Log() const;

  // One request with the admin token; `body` is sent as JSON when not empty.
  Result<KubeResponse> Request(const std::string& method, const std::string& path,
                               const std::string& body = "") const;
  // POST `object` to `path`; fails unless the API server answers 201.
  Result<nlohmann::json> Create(const std::string& path, const nlohmann::json& object) const;
  // GET `path`; fails unless 200.
  Result<nlohmann::json> Get(const std::string& path) const;

  // Starts kube-controller-manager with an admin kubeconfig (no leader
  // election, serving on its own free port), `extra_args` appended.
  Status StartControllerManager(const std::vector<std::string>& extra_args = {});
  void StopControllerManager();
  std::string ControllerManagerLog() const;

 private:
  KubeApiServer() = default;
  Status Launch();
  Status WaitReady();

  std::vector<std::string> argv_;
  std::string dir_;
  std::string token_;
  TestPki pki_;
  int port_ = 0;
  BackgroundProcess process_, controller_manager_;
};

}  // namespace ketcd::testing
