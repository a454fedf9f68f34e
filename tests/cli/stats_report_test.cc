// The data behind `stats --html` and how it is put into the page.
#include "cli/stats_report.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_files.h"

namespace ketcd::cli {
namespace {

TEST(StatsReportTest, NamespacesListTheirLargestObjectsAndSumTheRest) {
  const std::map<std::string, k8s::KeyTotals> namespaces = {
      {"", {1, 100}}, {"a", {3, 600}}, {"b", {1, 50}}};
  const k8s::LargeObject big{400, "/registry/pods/a/big"}, mid{150, "/registry/pods/a/mid"},
      node{100, "/registry/pods/n1"};
  const Json map = MapNamespaces("/registry/", namespaces, {&big, &mid, &node});
  ASSERT_EQ(map.size(), 3u);
  // Largest first.
  EXPECT_EQ(map[0]["name"], "a");
  EXPECT_EQ(map[0]["bytes"], 600);
  EXPECT_EQ(map[0]["objects_shown"], Json::parse(R"([{"name":"big","bytes":400},{"name":"mid","bytes":150}])"));
  EXPECT_EQ(map[0]["rest"], Json::parse(R"({"objects":1,"bytes":50})"));
  // Cluster-scoped objects: the namespace "".
  EXPECT_EQ(map[1]["name"], "");
  EXPECT_EQ(map[1]["objects_shown"], Json::parse(R"([{"name":"n1","bytes":100}])"));
  EXPECT_EQ(map[1]["rest"], Json::parse(R"({"objects":0,"bytes":0})"));
  EXPECT_EQ(map[2]["name"], "b");
  EXPECT_EQ(map[2]["objects_shown"], Json::array());
  EXPECT_EQ(map[2]["rest"], Json::parse(R"({"objects":1,"bytes":50})"));
}

TEST(StatsReportTest, AKeyCannotEndThePagesScript) {
  const std::string dir = testing::MakeTempDir();
  ASSERT_FALSE(dir.empty());
  const std::string hostile = "/registry/configmaps/x/</script><script>alert(1)</script>";
  const Json stats = {{"revision", 7},
                      {"objects", 1},
                      {"bytes", 10},
                      {"resources", Json::array()},
                      {"largest", Json::array({{{"key", hostile}, {"bytes", 10}}})}};
  ASSERT_TRUE(WriteStatsReport(dir + "/report.html", stats).ok());
  const std::string page = testing::ReadFileBytes(dir + "/report.html");
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find(R"(\u003c/script>\u003cscript>alert(1)\u003c/script>)"), std::string::npos);
  EXPECT_EQ(page.find("/*KETCD_REPORT_DATA*/"), std::string::npos);
  EXPECT_NE(page.find("\"revision\":7"), std::string::npos);
  // Nothing the page needs comes from elsewhere.
  for (const char* fetch : {"src=\"http", "href=\"http", "@import", "url(http", "fetch("}) {
    EXPECT_EQ(page.find(fetch), std::string::npos) << fetch;
  }
  // Written again over the last one.
  ASSERT_TRUE(WriteStatsReport(dir + "/report.html", stats).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ketcd::cli
