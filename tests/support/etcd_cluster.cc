#include "support/etcd_cluster.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <signal.h>
#include <sstream>
#include <thread>

#include "etcd/client.h"
#include "etcd/status_fields.h"
#include "support/peers.h"
#include "support/test_files.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;

}  // namespace

int FreePort() {
  // Below Linux's ephemeral range (32768-60999): a port from there may be
  // taken as the local end of some outgoing connection (another test's
  // client, an etcd peer dialing) between this reservation and the server's
  // listen, which then fails. Here only other FreePort callers compete, and
  // a lock file held until this process exits keeps them off a port handed
  // out here.
  constexpr int kFirst = 20000, kCount = 12000;
  static std::set<int> handed_out;
  static std::mt19937 random(std::random_device{}());
  const fs::path locks = fs::temp_directory_path() / "ketcd-test-ports";
  std::error_code ignored;
  fs::create_directories(locks, ignored);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = kFirst + static_cast<int>(random() % kCount);
    if (handed_out.count(port)) continue;
    const int lock = ::open((locks / std::to_string(port)).c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0666);
    if (lock < 0) continue;
    if (::flock(lock, LOCK_EX | LOCK_NB) != 0) {
      ::close(lock);
      continue;
    }
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (!free) {
      ::close(lock);
      continue;
    }
    handed_out.insert(port);  // the lock's descriptor stays open: released when the process exits
    return port;
  }
  return 0;
}

std::string EtcdBinary() {
  const char* binary = std::getenv("KETCD_TEST_ETCD");
  if (!binary || !*binary) return "etcd";
  const std::string both = binary;
  return both.substr(0, both.find('+'));
}

std::string EtcdNewerBinary() {
  const char* binary = std::getenv("KETCD_TEST_ETCD");
  const std::string both = binary ? binary : "";
  const size_t plus = both.find('+');
  return plus == std::string::npos ? "" : both.substr(plus + 1);
}

std::string EtcdVersion() {
  static const std::string version = [] {
    auto result = RunCommand({EtcdBinary(), "--version"});
    const std::string marker = "etcd Version: ";
    const size_t at = result.out.find(marker);
    if (result.exit_code != 0 || at == std::string::npos) return std::string();
    const std::string full = result.out.substr(at + marker.size());
    return full.substr(0, full.find('.', full.find('.') + 1));
  }();
  return version;
}

std::string EtcdUnavailable() {
  for (const std::string& binary : {EtcdBinary(), EtcdNewerBinary()}) {
    if (binary.find('/') == std::string::npos) continue;  // from PATH, or none
    if (std::string missing = MissingExecutable(binary, binary); !missing.empty()) return missing;
  }
  return "";
}

std::string EtcdTool(const std::string& tool) {
  std::string binary = EtcdBinary();
  std::vector<std::string> dirs;
  if (size_t slash = binary.rfind('/'); slash != std::string::npos) {
    dirs.push_back(binary.substr(0, slash));
  } else if (const char* path = std::getenv("PATH")) {
    std::stringstream entries(path);
    for (std::string dir; std::getline(entries, dir, ':');) dirs.push_back(dir);
  }
  for (const std::string& dir : dirs) {
    std::string candidate = dir + "/" + tool;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string EtcdSnapshotTool() {
  std::string etcdutl = EtcdTool("etcdutl");
  return etcdutl.empty() ? EtcdTool("etcdctl") : etcdutl;
}

Status EtcdCluster::Put(const std::vector<std::pair<std::string, std::string>>& keys) const {
  auto client = etcd::EtcdClient::Create(ClientConfig());
  if (!client.ok()) return client.status();
  for (const auto& [key, value] : keys) {
    etcd::pb::PutRequest put;
    put.set_key(key);
    put.set_value(value);
    auto response = (*client)->Put(put);
    if (!response.ok()) return response.status();
  }
  return Status::Ok();
}

Result<std::unique_ptr<EtcdCluster>> EtcdCluster::Start(const EtcdClusterOptions& options) {
  std::unique_ptr<EtcdCluster> cluster(new EtcdCluster());
  cluster->options_ = options;
  if (options.binary.empty()) cluster->options_.binary = EtcdBinary();
  if (options.newer_binary.empty()) cluster->options_.newer_binary = EtcdNewerBinary();
  cluster->dir_ = MakeTempDir();
  if (cluster->dir_.empty()) return IoError("cannot create a temporary directory");
  if (options.tls) cluster->pki_ = MakeTestPki(cluster->dir_);
  for (int i = 0; i < options.members; ++i) {
    cluster->ReserveMember("m" + std::to_string(i));
    if (i % 2 == 0) cluster->members_[i].binary = cluster->options_.binary;
  }
  std::string initial_cluster;
  for (int i = 0; i < options.members; ++i) {
    initial_cluster += (i ? "," : "") + cluster->Name(i) + "=" + cluster->PeerUrl(i);
  }
  for (int i = 0; i < options.members; ++i) {
    KETCD_RETURN_IF_ERROR(cluster->Launch(i, initial_cluster, "new"));
  }
  KETCD_RETURN_IF_ERROR(cluster->WaitHealthy());
  return cluster;
}

EtcdCluster::~EtcdCluster() {
  for (auto& member : members_) member.process.Kill();
  for (auto& member : members_) {  // started by StartCommandTemplate
    std::ifstream pid_file(dir_ + "/" + member.name + ".pid");
    pid_t pid = 0;
    if (pid_file >> pid && pid > 0) ::kill(pid, SIGKILL);
  }
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
}

std::string EtcdCluster::ClientUrl(int i) const {
  return Scheme() + "://127.0.0.1:" + std::to_string(members_[i].client_port);
}

std::string EtcdCluster::PeerUrl(int i) const {
  return Scheme() + "://127.0.0.1:" + std::to_string(members_[i].peer_port);
}

std::string EtcdCluster::ClientUrls() const {
  std::string urls;
  for (int i = 0; i < size(); ++i) {
    if (members_[i].running) urls += (urls.empty() ? "" : ",") + ClientUrl(i);
  }
  return urls;
}

etcd::ConnectionConfig EtcdCluster::ClientConfig() const {
  etcd::ConnectionConfig config;
  config.endpoints.clear();
  for (int i = 0; i < size(); ++i) {
    if (members_[i].running) config.endpoints.push_back(ClientUrl(i));
  }
  if (options_.tls) {
    config.ca_file = pki_.ca_cert;
    config.cert_file = pki_.client_cert;
    config.key_file = pki_.client_key;
  }
  return config;
}

std::vector<std::string> EtcdCluster::ConnectionFlags() const {
  std::vector<std::string> flags = {"--endpoints=" + ClientUrls()};
  if (options_.tls) {
    flags.push_back("--cacert=" + pki_.ca_cert);
    flags.push_back("--cert=" + pki_.client_cert);
    flags.push_back("--key=" + pki_.client_key);
  }
  return flags;
}

int EtcdCluster::ReserveMember(const std::string& name) {
  Member member;
  member.name = name;
  member.client_port = FreePort();
  member.peer_port = FreePort();
  member.data_dir = dir_ + "/" + name + ".etcd";
  member.log = dir_ + "/" + name + ".log";
  member.binary = LaterBinary();
  members_.push_back(std::move(member));
  return size() - 1;
}

Status EtcdCluster::Launch(int i, const std::string& initial_cluster, const std::string& state) {
  Member& m = members_[i];
  std::vector<std::string> argv = {
      m.binary,
      "--name=" + m.name,
      "--data-dir=" + m.data_dir,
      "--listen-client-urls=" + ClientUrl(i),
      "--advertise-client-urls=" + ClientUrl(i),
      "--listen-peer-urls=" + PeerUrl(i),
      "--initial-advertise-peer-urls=" + PeerUrl(i),
      "--initial-cluster=" + initial_cluster,
      "--initial-cluster-state=" + state,
      "--initial-cluster-token=ketcd-test-" + std::to_string(getpid()),
      // Fast elections keep multi-member tests short.
      "--heartbeat-interval=50",
      "--election-timeout=500",
      "--logger=zap",
      "--log-outputs=stderr",
  };
  if (options_.tls) {
    for (const char* prefix : {"--", "--peer-"}) {
      argv.push_back(std::string(prefix) + "cert-file=" + pki_.server_cert);
      argv.push_back(std::string(prefix) + "key-file=" + pki_.server_key);
      argv.push_back(std::string(prefix) + "trusted-ca-file=" + pki_.ca_cert);
      argv.push_back(std::string(prefix) + "client-cert-auth=true");
    }
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  argv.insert(argv.end(), m.extra_args.begin(), m.extra_args.end());
  if (!m.process.Start(argv, m.log)) {
    return IoError("cannot start " + m.binary + ": " + std::strerror(errno));
  }
  std::ofstream(dir_ + "/" + m.name + ".pid") << m.process.pid();  // for StopCommandTemplate
  m.running = true;
  return Status::Ok();
}

void EtcdCluster::KillMember(int i) {
  members_[i].process.Kill();
  members_[i].running = false;
}

void EtcdCluster::StopMember(int i) {
  members_[i].process.Stop();
  members_[i].running = false;
}

std::string EtcdCluster::StartCommandTemplate() const {
  std::string command = LaterBinary() + " --name={name} --data-dir=" + dir_ + "/{name}.etcd" +
                        " --listen-client-urls={client_url} --advertise-client-urls={client_url}"
                        " --listen-peer-urls={peer_url} --initial-advertise-peer-urls={peer_url}"
                        " --initial-cluster={initial_cluster} --initial-cluster-state={initial_cluster_state}"
                        " --initial-cluster-token=ketcd-test-" + std::to_string(getpid()) +
                        " --heartbeat-interval=50 --election-timeout=500";
  if (options_.tls) {
    for (const char* prefix : {"--", "--peer-"}) {
      command += std::string(" ") + prefix + "cert-file=" + pki_.server_cert + " " + prefix + "key-file=" +
                 pki_.server_key + " " + prefix + "trusted-ca-file=" + pki_.ca_cert + " " + prefix +
                 "client-cert-auth=true";
    }
  }
  return command + " >>" + dir_ + "/{name}.log 2>&1 & echo $! >" + dir_ + "/{name}.pid";
}

std::string EtcdCluster::StopCommandTemplate() const {
  return "kill $(cat " + dir_ + "/{name}.pid)";
}

void EtcdCluster::PauseMember(int i) { ::kill(members_[i].process.pid(), SIGSTOP); }

void EtcdCluster::ResumeMember(int i) { ::kill(members_[i].process.pid(), SIGCONT); }

Status EtcdCluster::CopyDataDirPaused(int i, const std::string& to) {
  PauseMember(i);
  std::error_code error;
  std::filesystem::copy(DataDir(i), to, std::filesystem::copy_options::recursive, error);
  ResumeMember(i);
  return error ? IoError(to + ": " + error.message()) : Status::Ok();
}

std::string EtcdCluster::DataDir(int i) const { return members_[i].data_dir; }

Status EtcdCluster::RestartMember(int i) {
  // An existing data dir makes etcd ignore the initial-cluster flags.
  KETCD_RETURN_IF_ERROR(Launch(i, Name(i) + "=" + PeerUrl(i), "existing"));
  return WaitHealthy();
}

Status EtcdCluster::UpgradeMember(int i, const std::string& binary,
                                  const std::vector<std::string>& extra_args) {
  if (members_[i].running) StopMember(i);
  members_[i].binary = binary;
  members_[i].extra_args = extra_args;
  return RestartMember(i);
}

Status EtcdCluster::StartJoiningMember(int i, const std::string& initial_cluster) {
  KETCD_RETURN_IF_ERROR(Launch(i, initial_cluster, "existing"));
  return WaitHealthy();
}

Status EtcdCluster::WaitForStorageVersion(const std::string& storage, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (int i = 0; i < size() && all; ++i) {
      if (!members_[i].running) continue;
      etcd::ConnectionConfig config = ClientConfig();
      config.endpoints = {ClientUrl(i)};
      auto client = etcd::EtcdClient::Create(config);
      if (!client.ok()) return client.status();
      auto status = (*client)->EndpointStatus(0);
      last = status.ok() ? Name(i) + " reports \"" + etcd::ReadStatusFieldsSince36(*status).storage_version + "\""
                         : status.status().message();
      all = status.ok() && etcd::ReadStatusFieldsSince36(*status).storage_version == storage;
    }
    if (all) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Unavailable("storage version never became " + storage + ": " + last);
}

Status EtcdCluster::WaitHealthy(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    // Healthy: every running member answers and all name the same leader,
    // which is itself running (a killed leader is still named until the
    // election timeout passes).
    bool all_ready = true;
    std::set<uint64_t> running_ids, leaders;
    for (int i = 0; i < size() && all_ready; ++i) {
      if (!members_[i].running) continue;
      if (!members_[i].process.running()) {
        members_[i].running = false;
        return Internal("etcd member " + Name(i) + " exited:\n" + LogTails());
      }
      etcd::ConnectionConfig config = ClientConfig();
      config.endpoints = {ClientUrl(i)};
      config.dial_timeout = std::chrono::milliseconds(500);
      config.command_timeout = std::chrono::milliseconds(1000);
      auto client = etcd::EtcdClient::Create(config);
      if (!client.ok()) return client.status();
      auto status = (*client)->EndpointStatus(0);
      if (!status.ok() || status->leader() == 0) {
        all_ready = false;
        last_error = status.ok() ? Name(i) + ": no leader yet" : status.status().message();
        break;
      }
      running_ids.insert(status->header().member_id());
      leaders.insert(status->leader());
    }
    if (all_ready && leaders.size() == 1 && running_ids.count(*leaders.begin())) {
      return Status::Ok();
    }
    if (all_ready) last_error = "members disagree on a running leader";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Unavailable("etcd cluster not healthy in time (" + last_error + "):\n" + LogTails());
}

std::string EtcdCluster::LogTails() const {
  std::string tails;
  for (const auto& member : members_) {
    tails += "--- " + member.name + " (" + member.log + ")\n" + TailOfFile(member.log, 8);
  }
  return tails;
}

}  // namespace ketcd::testing
