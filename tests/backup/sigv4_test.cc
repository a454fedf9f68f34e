// SigV4 against AWS's published examples, and the XML field reader the
// store clients use.
#include "backup/sigv4.h"

#include <gtest/gtest.h>

#include "backup/store_common.h"
#include "util/sha256.h"

namespace ketcd::backup {
namespace {

const AwsCredentials kExampleCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const std::string kEmptyPayload = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(SigV4Test, SignsTheTestSuitesVanillaGet) {
  SigV4Request request{"GET", "/", {}, {{"host", "example.amazonaws.com"}, {"x-amz-date", "20150830T123600Z"}}, kEmptyPayload};
  EXPECT_EQ(SigV4Authorization(kExampleCredentials, "us-east-1", "service", "20150830T123600Z", request),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4Test, SignsTheIamListUsersExampleWithQueryAndTrimmedHeader) {
  SigV4Request request{"GET",
                       "/",
                       {{"Version", "2010-05-08"}, {"Action", "ListUsers"}},
                       {{"content-type", "application/x-www-form-urlencoded;  charset=utf-8 "},
                        {"host", "iam.amazonaws.com"},
                        {"x-amz-date", "20150830T123600Z"}},
                       kEmptyPayload};
  EXPECT_EQ(SigV4Authorization(kExampleCredentials, "us-east-1", "iam", "20150830T123600Z", request),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  // Any change to what is signed changes the signature.
  request.query["Action"] = "ListGroups";
  EXPECT_EQ(SigV4Authorization(kExampleCredentials, "us-east-1", "iam", "20150830T123600Z", request)
                .find("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"),
            std::string::npos);
}

// S3's own examples ("Signature calculations for the Authorization header"):
// the payload hash header, a Range header, a query with a listing.
const AwsCredentials kS3ExampleCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

TEST(SigV4Test, SignsTheS3GetObjectExample) {
  SigV4Request request{"GET", "/test.txt", {},
                       {{"host", "examplebucket.s3.amazonaws.com"}, {"range", "bytes=0-9"},
                        {"x-amz-content-sha256", kEmptyPayload}, {"x-amz-date", "20130524T000000Z"}},
                       kEmptyPayload};
  EXPECT_EQ(SigV4Authorization(kS3ExampleCredentials, "us-east-1", "s3", "20130524T000000Z", request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, SignsTheS3ListObjectsExample) {
  SigV4Request request{"GET", "/", {{"max-keys", "2"}, {"prefix", "J"}},
                       {{"host", "examplebucket.s3.amazonaws.com"},
                        {"x-amz-content-sha256", kEmptyPayload}, {"x-amz-date", "20130524T000000Z"}},
                       kEmptyPayload};
  EXPECT_EQ(SigV4Authorization(kS3ExampleCredentials, "us-east-1", "s3", "20130524T000000Z", request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4Test, CanonicalQueryEncodesAndSorts) {
  EXPECT_EQ(CanonicalQuery({{"prefix", "a b/c"}, {"list-type", "2"}, {"uploads", ""}}),
            "list-type=2&prefix=a%20b%2Fc&uploads=");
}

TEST(HmacTest, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HexBytes(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(XmlTextsTest, ReadsElementsInOrderAndDecodesEntities) {
  const std::string xml =
      "<ListBucketResult><Contents><Key>a&amp;b</Key></Contents><Contents><Key>&lt;c&gt;</Key></Contents>"
      "<IsTruncated>false</IsTruncated></ListBucketResult>";
  EXPECT_EQ(XmlTexts(xml, "Key"), (std::vector<std::string>{"a&b", "<c>"}));
  EXPECT_EQ(XmlTexts(xml, "IsTruncated"), std::vector<std::string>{"false"});
  EXPECT_TRUE(XmlTexts(xml, "Missing").empty());
  EXPECT_TRUE(XmlTexts("<Key>unterminated", "Key").empty());
  EXPECT_EQ(XmlEscape("\"e\"&<x>"), "&quot;e&quot;&amp;&lt;x&gt;");
}

}  // namespace
}  // namespace ketcd::backup
