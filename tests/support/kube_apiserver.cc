#include "support/kube_apiserver.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/peers.h"
#include "support/test_files.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;

size_t AppendBody(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

Status WriteText(const std::string& path, const std::string& text) {
  return WriteFileBytes(path, text) ? Status::Ok() : IoError("cannot write " + path);
}

// The public half of a PEM private key, as a "PUBLIC KEY" PEM file:
// kube-apiserver verifies service-account tokens with it.
Status WritePublicKey(const std::string& private_key, const std::string& path) {
  FILE* in = std::fopen(private_key.c_str(), "r");
  if (!in) return IoError("cannot read " + private_key);
  EVP_PKEY* key = PEM_read_PrivateKey(in, nullptr, nullptr, nullptr);
  std::fclose(in);
  FILE* out = key ? std::fopen(path.c_str(), "w") : nullptr;
  const bool written = out && PEM_write_PUBKEY(out, key) == 1;
  if (out) std::fclose(out);
  EVP_PKEY_free(key);
  return written ? Status::Ok() : Internal("cannot write the public key of " + private_key);
}

}  // namespace

Result<std::unique_ptr<KubeApiServer>> KubeApiServer::Start(const EtcdCluster& etcd,
                                                            const KubeApiServerOptions& options) {
  std::unique_ptr<KubeApiServer> server(new KubeApiServer());
  server->dir_ = MakeTempDir();
  if (server->dir_.empty()) return IoError("cannot create a temporary directory");
  server->pki_ = MakeTestPki(server->dir_);
  server->port_ = FreePort();
  server->token_ = "ketcd-test-admin-" + std::to_string(server->port_);
  // Static tokens: token,user,uid,"groups"; system:masters may do anything.
  KETCD_RETURN_IF_ERROR(WriteText(server->dir_ + "/tokens.csv",
                                  server->token_ + ",admin,admin,\"system:masters\"\n"));
  const std::string& key = server->pki_.server_key;
  KETCD_RETURN_IF_ERROR(WritePublicKey(key, server->dir_ + "/service-account.pub"));
  server->argv_ = {
      PeerBinary(kKubernetesPeer, "kube-apiserver"),
      "--etcd-servers=" + etcd.ClientUrls(),
      "--etcd-prefix=" + options.etcd_prefix,
      "--service-cluster-ip-range=" + options.service_cluster_ip_range,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      // A loopback advertise address is refused by the endpoint reconciler
      // (it would publish it as the kubernetes Service's endpoint).
      "--endpoint-reconciler-type=none",
      "--secure-port=" + std::to_string(server->port_),
      "--tls-cert-file=" + server->pki_.server_cert,
      "--tls-private-key-file=" + key,
      "--client-ca-file=" + server->pki_.ca_cert,
      "--cert-dir=" + server->dir_ + "/certs",
      "--token-auth-file=" + server->dir_ + "/tokens.csv",
      "--authorization-mode=RBAC",
      // The serving key (EC P-256) also signs service-account tokens.
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      "--service-account-key-file=" + server->dir_ + "/service-account.pub",
      "--service-account-signing-key-file=" + key,
      "--allow-privileged=true",
      "--profiling=false",
  };
  if (etcd.tls()) {
    server->argv_.push_back("--etcd-cafile=" + etcd.pki().ca_cert);
    server->argv_.push_back("--etcd-certfile=" + etcd.pki().client_cert);
    server->argv_.push_back("--etcd-keyfile=" + etcd.pki().client_key);
  }
  server->argv_.insert(server->argv_.end(), options.extra_args.begin(), options.extra_args.end());
  KETCD_RETURN_IF_ERROR(server->Launch());
  return server;
}

KubeApiServer::~KubeApiServer() {
  controller_manager_.Kill();
  process_.Kill();
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
}

Status KubeApiServer::Launch() {
  if (!process_.Start(argv_, LogPath())) {
    return IoError("cannot start " + argv_[0] + ": " + std::strerror(errno));
  }
  return WaitReady();
}

Status KubeApiServer::WaitReady() {
  // Its first start on a fresh etcd creates the bootstrap objects (RBAC
  // roles, priority levels): tens of seconds on a loaded 2-core machine.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_.running()) {
      return Unavailable("kube-apiserver exited before it was ready:\n" + TailOfFile(LogPath(), 20));
    }
    auto ready = Request("GET", "/readyz");
    if (ready.ok() && ready->code == 200) return Status::Ok();
    last = ready.ok() ? "HTTP " + std::to_string(ready->code) + ": " + ready->body : ready.status().message();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return Unavailable("kube-apiserver not ready after 180 s (" + last + "):\n" + TailOfFile(LogPath(), 20));
}

void KubeApiServer::Stop() { process_.Stop(std::chrono::seconds(30)); }

Status KubeApiServer::Restart() {
  Stop();
  return Launch();
}

void KubeApiServer::SetFlag(const std::string& flag, const std::string& value) {
  const std::string prefix = flag + "=";
  std::erase_if(argv_, [&](const std::string& arg) { return arg.rfind(prefix, 0) == 0; });
  argv_.push_back(prefix + value);
}

std::string KubeApiServer::Log() const { return ReadFileBytes(LogPath()); }

Result<KubeResponse> KubeApiServer::Request(const std::string& method, const std::string& path,
                                            const std::string& body) const {
  CURL* curl = curl_easy_init();
  if (!curl) return Internal("curl_easy_init failed");
  KubeResponse response;
  std::string url = Url() + path;
  std::string authorization = "Authorization: Bearer " + token_;
  curl_slist* headers = curl_slist_append(nullptr, authorization.c_str());
  headers = curl_slist_append(headers, "Accept: application/json");
  if (!body.empty()) headers = curl_slist_append(headers, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CAINFO, pki_.ca_cert.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  if (!body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) return Unavailable(method + " " + path + ": " + curl_easy_strerror(code));
  return response;
}

Result<nlohmann::json> KubeApiServer::Create(const std::string& path, const nlohmann::json& object) const {
  auto response = Request("POST", path, object.dump());
  if (!response.ok()) return response.status();
  if (response->code != 201) {
    return Failed("POST " + path + ": HTTP " + std::to_string(response->code) + ": " + response->body);
  }
  return response->Json();
}

Result<nlohmann::json> KubeApiServer::Get(const std::string& path) const {
  auto response = Request("GET", path);
  if (!response.ok()) return response.status();
  if (response->code != 200) {
    return Failed("GET " + path + ": HTTP " + std::to_string(response->code) + ": " + response->body);
  }
  return response->Json();
}

Status KubeApiServer::StartControllerManager(const std::vector<std::string>& extra_args) {
  std::string kubeconfig = dir_ + "/admin.kubeconfig";
  KETCD_RETURN_IF_ERROR(WriteText(kubeconfig,
                                  "apiVersion: v1\nkind: Config\n"
                                  "clusters:\n- name: test\n  cluster:\n    server: " + Url() +
                                      "\n    certificate-authority: " + pki_.ca_cert +
                                      "\nusers:\n- name: admin\n  user:\n    token: " + token_ +
                                      "\ncontexts:\n- name: test\n  context:\n    cluster: test\n"
                                      "    user: admin\ncurrent-context: test\n"));
  std::vector<std::string> argv = {
      PeerBinary(kKubernetesPeer, "kube-controller-manager"),
      "--kubeconfig=" + kubeconfig,
      "--authentication-kubeconfig=" + kubeconfig,
      "--authorization-kubeconfig=" + kubeconfig,
      "--bind-address=127.0.0.1",
      "--secure-port=" + std::to_string(FreePort()),
      "--cert-dir=" + dir_ + "/controller-manager-certs",
      "--leader-elect=false",
      "--service-account-private-key-file=" + pki_.server_key,
      "--root-ca-file=" + pki_.ca_cert,
      "--use-service-account-credentials=false",
  };
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  if (!controller_manager_.Start(argv, dir_ + "/kube-controller-manager.log")) {
    return IoError("cannot start " + argv[0] + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

void KubeApiServer::StopControllerManager() { controller_manager_.Stop(std::chrono::seconds(30)); }

std::string KubeApiServer::ControllerManagerLog() const {
  return ReadFileBytes(dir_ + "/kube-controller-manager.log");
}

}  // namespace ketcd::testing
