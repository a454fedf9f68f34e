// EtcdCluster: real etcd servers for integration tests.
//
// Starts N members of Debian's etcd on loopback ports chosen at run time,
// each in its own directory under a fresh temporary dir, optionally with
// mutual TLS on client and peer URLs; waits until a leader serves requests.
// The destructor kills every member and removes the directory, also when a
// test fails; children also die with the test process.
//
// The etcd binary is `etcd` from PATH, or $KETCD_TEST_ETCD when set (ctest
// sets it per registered version; "OLDER+NEWER" for a mixed-version cluster).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "etcd/connection_config.h"
#include "support/process.h"
#include "support/test_pki.h"
#include "util/status.h"

namespace ketcd::testing {

struct EtcdClusterOptions {
  int members = 1;
  bool tls = false;                     // mutual TLS on client and peer URLs
  std::vector<std::string> extra_args;  // passed to every member
  std::string binary;                   // default: EtcdBinary()
  // A cluster in the middle of a rolling upgrade: odd members, and every
  // member started later (joins, replacements, StartCommandTemplate), run
  // this newer etcd. Default: EtcdNewerBinary().
  std::string newer_binary;
};

class EtcdCluster {
 public:
  // Starts the cluster and waits until it is healthy.
  static Result<std::unique_ptr<EtcdCluster>> Start(const EtcdClusterOptions& options);
  ~EtcdCluster();

  int size() const { return static_cast<int>(members_.size()); }
  const std::string& dir() const { return dir_; }
  const TestPki& pki() const { return pki_; }
  bool tls() const { return options_.tls; }

  // Client URL of member i, e.g. "http://127.0.0.1:41234".
  std::string ClientUrl(int i) const;
  std::string PeerUrl(int i) const;
  std::string Name(int i) const { return members_[i].name; }
  std::string DataDir(int i) const;
  // Comma-separated client URLs of the running members.
  std::string ClientUrls() const;
  // A config for ketcd's client: every running member, client cert when TLS.
  etcd::ConnectionConfig ClientConfig() const;
  // The same as etcdctl/ketcd flags (--endpoints, --cacert, --cert, --key).
  std::vector<std::string> ConnectionFlags() const;

  // Kills (SIGKILL), stops (SIGTERM: etcd commits its backend first) or
  // restarts an existing member with its data.
  void KillMember(int i);
  void StopMember(int i);
  // SIGSTOP / SIGCONT: a member that stalls (a hung disk, a starved CPU).
  void PauseMember(int i);
  void ResumeMember(int i);
  // Member i's data dir copied to `to` while it is paused: as etcd left it
  // at that moment (a copy of a running member could catch a db half written).
  Status CopyDataDirPaused(int i, const std::string& to);
  Status RestartMember(int i);
  // Stops member i (SIGTERM) if it runs and starts it again on `binary`,
  // with its data and `extra_args` added to the cluster's: one step of a
  // rolling upgrade.
  Status UpgradeMember(int i, const std::string& binary,
                       const std::vector<std::string>& extra_args = {});
  // The etcd binary member i runs.
  const std::string& MemberBinary(int i) const { return members_[i].binary; }

  // Reserves ports and a directory for a member not yet in the cluster;
  // returns its index. StartJoiningMember starts it with
  // --initial-cluster-state existing and the given --initial-cluster.
  int ReserveMember(const std::string& name);
  Status StartJoiningMember(int i, const std::string& initial_cluster);

  // Shell commands that start / stop a member named {name} (reserved
  // first, for its ports) outside this harness, as an operator's
  // --start-cmd / --stop-cmd would (placeholders of
  // cluster/host_command.h). The destructor kills what they started.
  std::string StartCommandTemplate() const;
  std::string StopCommandTemplate() const;

  // Writes keys through one in-process client: test data set up in
  // milliseconds (tests of ketcd's own put run the CLI).
  Status Put(const std::vector<std::pair<std::string, std::string>>& keys) const;

  // Waits until every running member answers status and knows a leader.
  Status WaitHealthy(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Waits until every running member reports the storage version `storage`
  // ("3.6.0"): etcd 3.6+ writes it into its backend a moment after the
  // cluster version is decided, so a snapshot saved, or a status read,
  // before that has none. Tests that compare those call it first.
  Status WaitForStorageVersion(const std::string& storage,
                               std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // The last lines of every member's log (also of members started by
  // StartCommandTemplate): what a failed test prints to say why.
  std::string LogTails() const;

 private:
  struct Member {
    std::string name;
    int client_port = 0, peer_port = 0;
    std::string data_dir, log, binary;
    std::vector<std::string> extra_args;  // this member's, after the cluster's
    BackgroundProcess process;
    bool running = false;
  };

  EtcdCluster() = default;
  Status Launch(int i, const std::string& initial_cluster, const std::string& state);
  std::string Scheme() const { return options_.tls ? "https" : "http"; }
  // What members started after the cluster run (the newer one if mixed).
  const std::string& LaterBinary() const {
    return options_.newer_binary.empty() ? options_.binary : options_.newer_binary;
  }

  EtcdClusterOptions options_;
  std::string dir_;
  TestPki pki_;
  std::vector<Member> members_;
};

// Reserves a free loopback TCP port outside the ephemeral range, never
// handed out twice while this process runs (in it or, through a lock file,
// to another test process).
int FreePort();

// The etcd server binary the tests run: $KETCD_TEST_ETCD, or its part
// before '+' when it names two ("OLDER+NEWER": a mixed-version cluster).
std::string EtcdBinary();
// The part after '+' of $KETCD_TEST_ETCD; empty when it names one binary.
std::string EtcdNewerBinary();

// Its minor version ("3.6"), from `etcd --version`; empty when it cannot run.
std::string EtcdVersion();

// Empty when EtcdBinary() can run; else one line naming what is missing (a
// peer etcd that scripts/install-peers did not build).
std::string EtcdUnavailable();

// That version's own etcdctl or etcdutl: the one beside EtcdBinary() (on
// PATH when that is a bare name). Empty when there is none (Debian's etcd
// 3.4 has no etcdutl).
std::string EtcdTool(const std::string& tool);

// The tool that version documents for offline snapshot work (status,
// restore): etcdctl in 3.4, etcdutl since 3.5.
std::string EtcdSnapshotTool();

}  // namespace ketcd::testing
