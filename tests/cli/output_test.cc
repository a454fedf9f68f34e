#include "cli/output.h"

#include <gtest/gtest.h>

#include <sstream>

#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"

namespace ketcd::cli {
namespace {

TEST(OutputTest, HumanBytesMatchesEtcdctlTables) {
  EXPECT_EQ(HumanBytes(5), "5 B");
  EXPECT_EQ(HumanBytes(24576), "25 kB");
  EXPECT_EQ(HumanBytes(1500000), "1.5 MB");
  EXPECT_EQ(HumanBytes(2147483648ULL), "2.1 GB");
}

TEST(OutputTest, HexIdIsUnpaddedLowerCase) {
  EXPECT_EQ(HexId(0x2e1259d415f2a040ULL), "2e1259d415f2a040");
  EXPECT_EQ(HexId(0xabc), "abc");
}

TEST(OutputTest, EtcdJsonUsesProtoNamesOmitsZerosKeepsUint64) {
  etcdserverpb::MemberListResponse response;
  response.mutable_header()->set_cluster_id(18446744073709551615ULL);
  auto* member = response.add_members();
  member->set_id(3319814642761637952ULL);
  member->set_name("e1");
  member->add_peerurls("http://127.0.0.1:2380");
  EXPECT_EQ(ProtoToEtcdJson(response).dump(),
            R"({"header":{"cluster_id":18446744073709551615},"members":[{"ID":3319814642761637952,)"
            R"("name":"e1","peerURLs":["http://127.0.0.1:2380"]}]})");
}

TEST(OutputTest, BytesAreBase64) {
  mvccpb::KeyValue kv;
  kv.set_key("foo");
  kv.set_value("ba");
  EXPECT_EQ(ProtoToEtcdJson(kv).dump(), R"({"key":"Zm9v","value":"YmE="})");
}

TEST(OutputTest, TableHasEtcdctlShape) {
  Table table({"ID", "NAME"});
  table.AddRow({"abc", "e1"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "+-----+------+\n"
            "| ID  | NAME |\n"
            "+-----+------+\n"
            "| abc |   e1 |\n"
            "+-----+------+\n");
}

TEST(OutputTest, OutputFlagsResolve) {
  EXPECT_EQ(*ResolveOutputFormat("", ""), OutputFormat::kSimple);
  EXPECT_EQ(*ResolveOutputFormat("", "wide"), OutputFormat::kTable);
  EXPECT_EQ(*ResolveOutputFormat("yaml", ""), OutputFormat::kYaml);
  EXPECT_FALSE(ResolveOutputFormat("json", "yaml").ok());
  EXPECT_FALSE(ResolveOutputFormat("xml", "").ok());
}

TEST(OutputTest, YamlOfNestedDocument) {
  Json doc = {{"a", 1}, {"b", Json::array({"x", "z"})}};
  EXPECT_EQ(ToYaml(doc), "a: 1\nb:\n- x\n- z\n");
}

}  // namespace
}  // namespace ketcd::cli
