#include "etcd/endpoint.h"

#include <gtest/gtest.h>

namespace ketcd::etcd {
namespace {

TEST(EndpointTest, ParsesEtcdctlForms) {
  auto plain = ParseEndpoint("127.0.0.1:2379");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->scheme, "");
  EXPECT_EQ(plain->DialTarget(), "127.0.0.1:2379");

  auto https = ParseEndpoint("https://etcd-0.example:2379/");
  ASSERT_TRUE(https.ok());
  EXPECT_TRUE(https->https());
  EXPECT_EQ(https->host, "etcd-0.example");
  EXPECT_EQ(https->port, 2379);

  auto v6 = ParseEndpoint("http://[::1]:2379");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->DialTarget(), "[::1]:2379");
}

TEST(EndpointTest, RejectsMalformedWithClearMessage) {
  for (const char* bad : {"htp://a:1", "127.0.0.1", "a:0", "a:70000", "a:port", "http://a:1/x",
                          "[::1:2379", "http://:2379", "bad host:1"}) {
    auto parsed = ParseEndpoint(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(bad), std::string::npos) << parsed.status().message();
  }
}

TEST(EndpointTest, ParsesCommaSeparatedList) {
  auto list = ParseEndpointList("a:1,,https://b:2");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].host, "b");
  EXPECT_FALSE(ParseEndpointList("").ok());
}

}  // namespace
}  // namespace ketcd::etcd
