// Descriptors found in a Go binary: gzipped FileDescriptorProtos as Go's
// protobuf registration embeds them, among other bytes.
#include "k8s/go_binary_schema.h"

#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include "k8s/schema.h"

namespace ketcd::k8s {
namespace {

// A gzip member as Go's compress/gzip writes it at best compression.
std::string GoGzip(const std::string& data) {
  z_stream stream{};
  deflateInit2(&stream, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string raw(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(raw.data());
  stream.avail_out = static_cast<uInt>(raw.size());
  deflate(&stream, Z_FINISH);
  raw.resize(stream.total_out);
  deflateEnd(&stream);
  std::string member("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff", 10);
  member += raw;
  const uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(data.data()), data.size());
  const uint32_t size = static_cast<uint32_t>(data.size());
  for (uint32_t word : {crc, size}) {
    for (int i = 0; i < 4; ++i) member += static_cast<char>(word >> (8 * i));
  }
  return member;
}

std::string FileProto(const std::string& name, const std::string& package,
                      const std::string& message, const std::string& dependency) {
  google::protobuf::FileDescriptorProto file;
  file.set_name(name);
  file.set_package(package);
  if (!dependency.empty()) file.add_dependency(dependency);
  auto* type = file.add_message_type();
  type->set_name(message);
  auto* field = type->add_field();
  field->set_name("replicas");
  field->set_number(1);
  field->set_type(google::protobuf::FieldDescriptorProto::TYPE_INT32);
  field->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  return file.SerializeAsString();
}

TEST(GoBinarySchemaTest, FindsTheKubernetesDescriptorsAmongOtherBytes) {
  std::string binary = "\x7f" "ELF" + std::string(1000, 'x');
  binary += GoGzip(FileProto("k8s.io/api/widgets/v1/generated.proto", "k8s.io.api.widgets.v1",
                             "Widget", "k8s.io/apimachinery/pkg/runtime/schema/generated.proto"));
  binary += std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff garbage", 18);  // not a stream
  binary += GoGzip(FileProto("google/other.proto", "other", "Other", ""));     // not Kubernetes
  binary += std::string(500, 'y');
  ASSERT_TRUE(LooksLikeExecutable(binary));
  auto serialized = DescriptorSetFromGoBinary(binary);
  ASSERT_TRUE(serialized.ok()) << serialized.status().message();
  google::protobuf::FileDescriptorSet set;
  ASSERT_TRUE(set.ParseFromString(*serialized));
  std::vector<std::string> names;
  for (const auto& file : set.file()) names.push_back(file.name());
  // The import Go registered no descriptor for stands in as an empty file.
  EXPECT_EQ(names, (std::vector<std::string>{"k8s.io/api/widgets/v1/generated.proto",
                                             "k8s.io/apimachinery/pkg/runtime/schema/generated.proto"}));
  auto schema = Schema::FromDescriptorSet(*serialized, "test binary");
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  const auto* widget = (*schema)->FindKind("widgets/v1", "Widget");
  ASSERT_NE(widget, nullptr);
  EXPECT_EQ(widget->full_name(), "k8s.io.api.widgets.v1.Widget");
}

TEST(GoBinarySchemaTest, BinaryWithoutDescriptorsIsAClearError) {
  std::string binary = "\x7f" "ELF" + std::string(4096, '\0');
  EXPECT_EQ(DescriptorSetFromGoBinary(binary).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace ketcd::k8s
