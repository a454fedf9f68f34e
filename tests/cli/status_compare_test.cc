// ketcd endpoint status / member list report what etcdctl reports for the
// same cluster: 1 and 3 members, plaintext and mutual TLS.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

using nlohmann::json;

struct Topology {
  int members;
  bool tls;
};

void PrintTo(const Topology& topology, std::ostream* out) {
  *out << topology.members << " members, " << (topology.tls ? "mutual TLS" : "plaintext");
}

class StatusCompareTest : public ::testing::TestWithParam<Topology> {
 protected:
  void SetUp() override {
    auto cluster = EtcdCluster::Start({.members = GetParam().members, .tls = GetParam().tls});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
  }

  json Json(const CommandResult& result) {
    EXPECT_EQ(result.exit_code, 0) << Describe(result);
    return json::parse(result.out, nullptr, /*allow_exceptions=*/false);
  }

  std::unique_ptr<EtcdCluster> cluster_;
};

// The fields the acceptance names; raft index and db size only move when
// something writes, so two etcdctl reads around ours bracket the moment.
json Essentials(const json& status_list) {
  json out = json::array();
  for (const auto& entry : status_list) {
    const json& s = entry.at("Status");
    out.push_back({{"endpoint", entry.at("Endpoint")},
                   {"cluster_id", s.at("header").at("cluster_id")},
                   {"member_id", s.at("header").at("member_id")},
                   {"leader", s.at("leader")},
                   {"raftTerm", s.at("raftTerm")},
                   {"raftIndex", s.at("raftIndex")},
                   {"dbSize", s.at("dbSize")},
                   {"version", s.at("version")}});
  }
  return out;
}

TEST_P(StatusCompareTest, EndpointStatusJsonMatchesEtcdctl) {
  auto args = Args(cluster_->ConnectionFlags(), {"endpoint", "status", "-w", "json"});
  for (int attempt = 0; attempt < 5; ++attempt) {
    json before = Essentials(Json(RunEtcdctl(args)));
    json ours = Essentials(Json(RunKetcd(args)));
    json after = Essentials(Json(RunEtcdctl(args)));
    if (before != after) continue;  // the cluster moved (e.g. an election): retry
    ASSERT_EQ(ours.size(), static_cast<size_t>(GetParam().members));
    EXPECT_EQ(ours, before);
    return;
  }
  FAIL() << "cluster never held still for a comparison";
}

TEST_P(StatusCompareTest, EndpointStatusFullDocumentMatchesEtcdctl) {
  // Whole JSON documents, byte for byte, when nothing changed in between.
  auto args = Args(cluster_->ConnectionFlags(), {"endpoint", "status", "-w", "json"});
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto before = RunEtcdctl(args);
    auto ours = RunKetcd(args);
    auto after = RunEtcdctl(args);
    ASSERT_EQ(ours.exit_code, 0) << Describe(ours);
    if (before.out != after.out) continue;
    EXPECT_EQ(ours.out, before.out);
    return;
  }
  FAIL() << "cluster never held still for a comparison";
}

TEST_P(StatusCompareTest, MemberListJsonMatchesEtcdctl) {
  auto args = Args(cluster_->ConnectionFlags(), {"member", "list", "-w", "json"});
  json theirs = Json(RunEtcdctl(args));
  json ours = Json(RunKetcd(args));
  ASSERT_EQ(ours.at("members").size(), static_cast<size_t>(GetParam().members));
  EXPECT_EQ(ours.at("members"), theirs.at("members"));
  EXPECT_EQ(ours.at("header").at("cluster_id"), theirs.at("header").at("cluster_id"));
}

// etcdctl 3.7 draws table borders with box-drawing characters; ketcd keeps
// the ASCII borders of etcdctl 3.4-3.6. The cells must be the same.
std::string AsciiBorders(std::string table) {
  static const std::pair<const char*, const char*> kBox[] = {
      {"┌", "+"}, {"┬", "+"}, {"┐", "+"}, {"├", "+"}, {"┼", "+"},
      {"┤", "+"}, {"└", "+"}, {"┴", "+"}, {"┘", "+"}, {"─", "-"},
      {"│", "|"}};
  for (const auto& [box, ascii] : kBox) {
    for (size_t at = table.find(box); at != std::string::npos; at = table.find(box, at)) {
      table.replace(at, std::string(box).size(), ascii);
    }
  }
  return table;
}

TEST_P(StatusCompareTest, TablesAndSimpleLinesMatchEtcdctl) {
  // Endpoint status has 3.6's columns (storage version, quota, downgrade)
  // on 3.6+ servers, as that version's etcdctl.
  const std::vector<std::vector<std::string>> commands = {{"member", "list"},
                                                         {"endpoint", "status"}};
  for (const auto& command : commands) {
    for (const char* format : {"table", "simple"}) {
      auto args = Args(cluster_->ConnectionFlags(), Args(command, {"-w", format}));
      bool compared = false;
      for (int attempt = 0; attempt < 5 && !compared; ++attempt) {
        auto before = RunEtcdctl(args);
        auto ours = RunKetcd(args);
        auto after = RunEtcdctl(args);
        ASSERT_EQ(ours.exit_code, 0) << Describe(ours);
        if (before.out != after.out) continue;  // raft index moved: retry
        EXPECT_EQ(ours.out, AsciiBorders(before.out)) << command[0] << " -w " << format;
        compared = true;
      }
      EXPECT_TRUE(compared) << "cluster never held still for " << command[0];
    }
  }
}

TEST_P(StatusCompareTest, EndpointHealthReportsEveryMemberHealthy) {
  auto result = RunKetcd(Args(cluster_->ConnectionFlags(), {"endpoint", "health", "-w", "json"}));
  json health = Json(result);
  ASSERT_EQ(health.size(), static_cast<size_t>(GetParam().members));
  for (const auto& entry : health) EXPECT_TRUE(entry.at("health").get<bool>()) << entry;
}

INSTANTIATE_TEST_SUITE_P(Topologies, StatusCompareTest,
                         ::testing::Values(Topology{1, false}, Topology{1, true},
                                           Topology{3, false}, Topology{3, true}),
                         [](const auto& info) {
                           return std::to_string(info.param.members) + "Members" +
                                  (info.param.tls ? "MutualTls" : "Plaintext");
                         });

}  // namespace
}  // namespace ketcd::testing
