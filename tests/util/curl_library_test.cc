#include "util/curl_library.h"

#include <gtest/gtest.h>

#include <string>

namespace ketcd {
namespace {

TEST(CurlLibraryTest, LoadsTheSystemLibcurlOnce) {
  Result<const CurlLibrary*> curl = Curl();
  ASSERT_TRUE(curl.ok()) << curl.status().message();
  EXPECT_STREQ((*curl)->easy_strerror(CURLE_OK), "No error");
  CURL* handle = (*curl)->easy_init();
  ASSERT_NE(handle, nullptr);
  EXPECT_EQ((*curl)->easy_setopt(handle, CURLOPT_URL, "http://127.0.0.1:1/"), CURLE_OK);
  (*curl)->easy_cleanup(handle);
  Result<const CurlLibrary*> again = Curl();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *curl);
}

TEST(CurlLibraryTest, AMissingLibraryNamesThePackage) {
  Result<CurlLibrary> curl = LoadCurlLibrary("libcurl-not-installed.so.4");
  ASSERT_FALSE(curl.ok());
  EXPECT_EQ(curl.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(curl.status().message().find("libcurl4"), std::string::npos) << curl.status().message();
}

TEST(CurlLibraryTest, ALibraryWithoutCurlsFunctionsIsRefused) {
  Result<CurlLibrary> curl = LoadCurlLibrary("libz.so.1");
  ASSERT_FALSE(curl.ok());
  EXPECT_NE(curl.status().message().find("not a usable libcurl"), std::string::npos) << curl.status().message();
}

}  // namespace
}  // namespace ketcd
