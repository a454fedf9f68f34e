// CIDR migrations end to end on real etcd: plan changes nothing, apply
// writes exactly the expected bytes (computed independently, see
// migrate_fixture.h), re-running is a no-op, undo restores every byte; and
// every pre-check refuses clearly without writing.
#include <atomic>
#include <nlohmann/json.hpp>
#include <fstream>
#include <thread>

#include "k8s/object_encoder.h"
#include "migrate/apply.h"
#include "migrate/migrate_fixture.h"
#include "migrate/safety_net.h"

namespace ketcd::testing {
namespace {

// The write path without the CLI: snapshot, then journal, then the writes,
// each step told as it completes; undo from that journal restores all.
TEST_F(MigrateTest, SafetyNetSnapshotsJournalsThenWrites) {
  Generate({"--service-cidr", "192.168.0.0/16", "--services", "6", "--nodes", "2"});
  const KeyspaceMap original = ReadAll();
  auto addresses = migrate::AddressMap::Create({*migrate::ParseCidr("192.168.0.0/16")},
                                               {*migrate::ParseCidr("172.24.0.0/16")});
  ASSERT_TRUE(addresses.ok()) << addresses.status().message();
  const migrate::MigrationRequest request{migrate::MigrationTarget::kServiceCidr, *addresses, {}, false};
  auto plan = migrate::PlanCidrMigration(*client_, request);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_FALSE(plan->changes.empty());

  migrate::SafetyNet net;
  net.backup_path = Path("net-before.db");
  net.journal_path = Path("net.journal");
  net.journal_header = {"service-cidr", {"192.168.0.0/16"}, {"172.24.0.0/16"}};
  std::vector<std::string> notes;
  net.note = [&](const std::string& line) {
    notes.push_back(line);
    // Each step is done when it is told: the snapshot is whole before the
    // journal opens, and nothing is written before the journal exists.
    if (notes.size() == 1) EXPECT_TRUE(std::filesystem::exists(net.backup_path));
    if (notes.size() == 2) EXPECT_EQ(ReadAll(), original);
  };
  auto report = migrate::ApplyWithSafetyNet(*client_, *plan, net);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(notes, (std::vector<std::string>{"Backup saved at " + net.backup_path,
                                             "Journal (for `ketcd migrate undo`): " + net.journal_path}));
  EXPECT_EQ(report->written, plan->changes.size());
  EXPECT_EQ(DescribeDifferences(ExpectedAfter(original, {{"192.168.", "172.24."}}), ReadAll()), "");
  auto verified = RunKetcd({"snapshot", "verify", net.backup_path});
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);

  auto journal = migrate::ReadJournal(net.journal_path);
  ASSERT_TRUE(journal.ok()) << journal.status().message();
  auto undone = migrate::UndoJournal(*client_, *journal, {});
  ASSERT_TRUE(undone.ok()) << undone.status().message();
  EXPECT_EQ(ReadAll(), original);

  // A journal that cannot be opened stops before any write.
  net.backup_path.clear();
  net.journal_path = Path("no-such-dir/net.journal");
  EXPECT_FALSE(migrate::ApplyWithSafetyNet(*client_, *plan, net).ok());
  EXPECT_EQ(ReadAll(), original);
}

TEST_F(MigrateTest, ServiceCidrPlanApplyRerunUndo) {
  Generate({"--service-cidr", "192.168.0.0/16", "--services", "40", "--nodes", "3"});
  const KeyspaceMap original = ReadAll();
  const std::vector<std::string> migrate = {"migrate", "service-cidr", "--from", "192.168.0.0/16", "--to",
                                            "172.24.0.0/16", "--journal", Path("svc.journal")};
  auto plan = Ketcd(migrate);
  ASSERT_EQ(plan.exit_code, 0) << Describe(plan);
  EXPECT_TRUE(Contains(plan.out, "Service /registry/services/specs/kube-system/kube-dns")) << plan.out;
  EXPECT_TRUE(Contains(plan.out, "spec.clusterIP: 192.168.0.10 -> 172.24.0.10")) << plan.out;
  EXPECT_TRUE(Contains(plan.out, "clusterDNS 172.24.0.10")) << plan.out;
  EXPECT_TRUE(Contains(plan.out, "Nothing was written")) << plan.out;
  EXPECT_EQ(ReadAll(), original);

  auto apply = Ketcd(Args(migrate, {"--apply", "--backup", Path("before.db")}));
  ASSERT_EQ(apply.exit_code, 0) << Describe(apply);
  EXPECT_TRUE(Contains(apply.out, "Backup saved at " + Path("before.db"))) << apply.out;
  auto verify = RunKetcd({"snapshot", "verify", Path("before.db")});
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  const KeyspaceMap expected = ExpectedAfter(original, {{"192.168.", "172.24."}});
  const KeyspaceMap migrated = ReadAll();
  EXPECT_EQ(DescribeDifferences(expected, migrated), "");
  EXPECT_TRUE(migrated.contains("/registry/ipaddresses/172.24.0.1"));
  EXPECT_NE(migrated, original);

  auto rerun = Ketcd(Args(migrate, {"--apply", "--no-backup"}));
  ASSERT_EQ(rerun.exit_code, 0) << Describe(rerun);
  EXPECT_TRUE(Contains(rerun.out, "Nothing to write")) << rerun.out;
  EXPECT_EQ(ReadAll(), migrated);

  auto undo = Ketcd({"migrate", "undo", Path("svc.journal")});
  ASSERT_EQ(undo.exit_code, 0) << Describe(undo);
  EXPECT_EQ(DescribeDifferences(original, ReadAll()), "");
  auto again = Ketcd({"migrate", "undo", Path("svc.journal")});
  ASSERT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_EQ(ReadAll(), original);
}

TEST_F(MigrateTest, DualStackMovesOneFamilyOnly) {
  Generate({"--service-cidr", "10.96.0.0/16,fd00:10:96::/112", "--services", "30", "--nodes", "2"});
  const KeyspaceMap original = ReadAll();
  auto apply = Ketcd({"migrate", "service-cidr", "--from", "fd00:10:96::/112", "--to", "fd00:20:96::/112", "--apply",
                      "--no-backup", "--journal", Path("v6.journal")});
  ASSERT_EQ(apply.exit_code, 0) << Describe(apply);
  EXPECT_TRUE(Contains(apply.out, "spec.clusterIPs[1]: fd00:10:96::") ) << apply.out;
  EXPECT_EQ(DescribeDifferences(ExpectedAfter(original, {{"fd00:10:96::", "fd00:20:96::"}}), ReadAll()), "");
}

TEST_F(MigrateTest, PodCidrReportsCniAndRewritesItOnRequest) {
  Generate({"--pod-cidr", "10.244.0.0/16", "--nodes", "5", "--services", "3"});
  const KeyspaceMap original = ReadAll();
  const std::vector<std::string> migrate = {"migrate", "pod-cidr", "--from", "10.244.0.0/16", "--to", "10.55.0.0/16",
                                            "--apply", "--no-backup", "--journal", Path("pod.journal")};
  auto apply = Ketcd(migrate);
  ASSERT_EQ(apply.exit_code, 0) << Describe(apply);
  EXPECT_TRUE(Contains(apply.out, "spec.podCIDRs[0]: 10.244.4.0/24 -> 10.55.4.0/24")) << apply.out;
  EXPECT_TRUE(Contains(apply.out, "add --include-cni")) << apply.out;
  KeyspaceMap expected = ExpectedAfter(original, {{"10.244.", "10.55."}});
  for (const char* cni : {"/registry/configmaps/kube-flannel/kube-flannel-cfg",
                          "/registry/crd.projectcalico.org/ippools/default-ipv4-ippool"}) {
    expected[cni] = original.at(cni);
  }
  EXPECT_EQ(DescribeDifferences(expected, ReadAll()), "");

  auto with_cni = Ketcd(Args(migrate, {"--include-cni"}));
  ASSERT_EQ(with_cni.exit_code, 0) << Describe(with_cni);
  EXPECT_EQ(DescribeDifferences(ExpectedAfter(original, {{"10.244.", "10.55."}}), ReadAll()), "");
  auto undo = Ketcd({"migrate", "undo", Path("pod.journal")});
  ASSERT_EQ(undo.exit_code, 0) << Describe(undo);
  EXPECT_EQ(ReadAll(), original);
}

TEST_F(MigrateTest, PreChecksRefuseWithoutWriting) {
  Generate({"--service-cidr", "192.168.0.0/16", "--services", "12", "--nodes", "2"});
  const KeyspaceMap original = ReadAll();
  struct Case {
    std::vector<std::string> flags;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--from", "10.96.0.0/12", "--to", "172.24.0.0/16"}, "192.168.0.1 is outside --from 10.96.0.0/12"},
      {{"--from", "192.168.0.0/16", "--to", "172.24.0.0/26"}, "does not fit in 172.24.0.0/26"},
      {{"--from", "192.168.0.0/16", "--to", "10.10.0.0/16"}, "holds the address 10.10.0.1 of node node-0"},
      {{"--from", "192.168.0.0/16", "--to", "172.24.0.0/16", "--avoid", "172.24.8.0/24"}, "overlaps 172.24.8.0/24"},
      {{"--from", "192.168.0.0/16", "--to", "10.244.0.0/16"}, "overlaps 10.244.0.0/16 (kubeadm-config podSubnet)"},
      {{"--from", "192.168.0.0/16", "--to", "192.168.0.0/17"}, "overlap"},
      {{"--from", "192.168.0.0/16", "--to", "fd00::/112"}, "different IP families"},
      {{"--from", "192.168.0.1/16", "--to", "172.24.0.0/16"}, "host bits set"},
  };
  for (const Case& c : cases) {
    auto result = Ketcd(Args(Args({"migrate", "service-cidr", "--apply", "--no-backup", "--journal", Path("j")}, c.flags), {}));
    EXPECT_EQ(result.exit_code, 2) << c.message << ": " << Describe(result);
    EXPECT_TRUE(Contains(result.err, c.message)) << c.message << ": " << result.err;
    EXPECT_EQ(ReadAll(), original) << c.message;
  }
  EXPECT_FALSE(std::filesystem::exists(Path("j")));
}

TEST_F(MigrateTest, RefusesWhileKubeApiserverRenewsItsLease) {
  Generate({"--service-cidr", "192.168.0.0/16", "--services", "2", "--nodes", "1", "--apiserver-renewed-ago", "0"});
  const std::string lease = "/registry/leases/kube-system/apiserver-4b7xqk2c5m3zfq6d2xo3rj6xle";
  const std::string value = ReadAll().at(lease);
  std::atomic<bool> stop{false};
  std::thread renewer([&] {  // kube-apiserver renews every 10 s; faster here
    while (!stop) {
      etcd::pb::PutRequest put;
      put.set_key(lease);
      put.set_value(value);
      (void)client_->Put(put);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  const KeyspaceMap before = ReadAll();
  const std::vector<std::string> migrate = {"migrate", "service-cidr", "--from", "192.168.0.0/16", "--to",
                                            "172.24.0.0/16", "--apply", "--no-backup", "--journal", Path("j")};
  auto refused = Ketcd(migrate);
  stop = true;
  renewer.join();
  EXPECT_EQ(refused.exit_code, 1) << Describe(refused);
  EXPECT_TRUE(Contains(refused.err, "kube-apiserver is running")) << refused.err;
  const KeyspaceMap after_refusal = ReadAll();
  EXPECT_EQ(DescribeDifferences(before, after_refusal), "");
  auto forced = Ketcd(Args(migrate, {"--force"}));
  EXPECT_EQ(forced.exit_code, 0) << Describe(forced);
}

// A change between plan and write aborts that object only, and says so.
TEST_F(MigrateTest, ConcurrentChangeAbortsOnlyThatObject) {
  Generate({"--service-cidr", "192.168.0.0/16", "--services", "10", "--nodes", "1"});
  auto from = migrate::ParseCidr("192.168.0.0/16");
  auto to = migrate::ParseCidr("172.24.0.0/16");
  auto addresses = migrate::AddressMap::Create({*from}, {*to});
  ASSERT_TRUE(addresses.ok());
  migrate::MigrationRequest request{migrate::MigrationTarget::kServiceCidr, *addresses, {}, false};
  auto plan = migrate::PlanCidrMigration(*client_, request);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const std::string changed = "/registry/services/specs/app-3/svc-3";
  const std::string concurrent_value = ReadAll().at(changed) + "";  // same bytes, new mod_revision
  etcd::pb::PutRequest put;
  put.set_key(changed);
  put.set_value(concurrent_value);
  ASSERT_TRUE(client_->Put(put).ok());

  auto journal = migrate::JournalWriter::Open(Path("j"), {"service-cidr", {"192.168.0.0/16"}, {"172.24.0.0/16"}});
  ASSERT_TRUE(journal.ok());
  auto report = migrate::ApplyPlan(*client_, *plan, *journal, {});
  ASSERT_TRUE(report.ok()) << report.status().message();
  ASSERT_EQ(report->conflicts.size(), 1u);
  EXPECT_EQ(report->conflicts[0].key, changed);
  EXPECT_TRUE(Contains(report->conflicts[0].reason, "changed concurrently")) << report->conflicts[0].reason;
  EXPECT_EQ(report->written, plan->changes.size() - 1);
  EXPECT_EQ(ReadAll().at(changed), concurrent_value);
  // A re-run plans it anew and finishes.
  auto rerun = Ketcd({"migrate", "service-cidr", "--from", "192.168.0.0/16", "--to", "172.24.0.0/16", "--apply",
                      "--no-backup", "--journal", Path("j")});
  ASSERT_EQ(rerun.exit_code, 0) << Describe(rerun);
  EXPECT_TRUE(Contains(rerun.out, "Wrote 1 object(s)")) << rerun.out;
}

TEST_F(MigrateTest, KubeadmManifestDiffs) {
  Generate({"--service-cidr", "192.168.0.0/16", "--services", "1", "--nodes", "1"});
  std::filesystem::create_directories(Path("kubernetes/manifests"));
  std::ofstream(Path("kubernetes/manifests/kube-apiserver.yaml"))
      << "spec:\n  containers:\n  - command:\n    - kube-apiserver\n    - --secure-port=6443\n"
         "    - --service-cluster-ip-range=192.168.0.0/16\n    - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt\n";
  std::ofstream(Path("kubernetes/manifests/kube-controller-manager.yaml"))
      << "    - --cluster-cidr=10.244.0.0/16\n    - --service-cluster-ip-range=192.168.0.0/16\n";
  auto plan = Ketcd({"migrate", "service-cidr", "--from", "192.168.0.0/16", "--to", "172.24.0.0/16",
                     "--kubeadm-dir", Path("kubernetes")});
  ASSERT_EQ(plan.exit_code, 0) << Describe(plan);
  EXPECT_TRUE(Contains(plan.out, "--- " + Path("kubernetes/manifests/kube-apiserver.yaml") + "\n")) << plan.out;
  EXPECT_TRUE(Contains(plan.out, "@@ -3,5 +3,5 @@\n   - command:\n     - kube-apiserver\n     - --secure-port=6443\n"
                                 "-    - --service-cluster-ip-range=192.168.0.0/16\n"
                                 "+    - --service-cluster-ip-range=172.24.0.0/16\n"))
      << plan.out;
  EXPECT_TRUE(Contains(plan.out, "-    - --service-cluster-ip-range=192.168.0.0/16\n+    - --service-cluster-ip-range=172.24.0.0/16\n"));
  std::ofstream(Path("kubelet.yaml")) << "cgroupDriver: systemd\nclusterDNS:\n- 192.168.0.10\nclusterDomain: cluster.local\n";
  auto json = Ketcd({"migrate", "service-cidr", "--from", "192.168.0.0/16", "--to", "172.24.0.0/16",
                     "--kubeadm-dir", Path("kubernetes"), "--kubelet-config", Path("kubelet.yaml"), "-o", "json"});
  ASSERT_EQ(json.exit_code, 0) << Describe(json);
  const auto document = nlohmann::json::parse(json.out);
  EXPECT_EQ(document["applied"], false);
  EXPECT_EQ(document["diffs"].size(), 3u);
  EXPECT_TRUE(Contains(document["diffs"][2]["diff"], "-- 192.168.0.10\n+- 172.24.0.10\n")) << document["diffs"][2];
  bool saw_dns = false;
  for (const auto& change : document["changes"]) {
    if (change["key"] != "/registry/services/specs/kube-system/kube-dns") continue;
    saw_dns = true;
    EXPECT_EQ(change["fields"][0], nlohmann::json({{"field", "spec.clusterIP"}, {"old", "192.168.0.10"}, {"new", "172.24.0.10"}}));
  }
  EXPECT_TRUE(saw_dns) << json.out;
  auto missing = Ketcd({"migrate", "service-cidr", "--from", "192.168.0.0/16", "--to", "172.24.0.0/16",
                        "--kubeadm-dir", Path("nowhere")});
  EXPECT_EQ(missing.exit_code, 2) << Describe(missing);
}

}  // namespace
}  // namespace ketcd::testing
