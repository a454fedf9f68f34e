// libFuzzer target: any bytes given to the decoder (as a stored value, after
// the protobuf magic, or as bare wire fields) must give a result or an error,
// never a crash, a hang or a sanitizer report. scripts/test runs it briefly.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "k8s/object_renderer.h"
#include "k8s/schema.h"
#include "k8s/storage_envelope.h"
#include "util/json_text.h"
#include "util/yaml_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* schema = [] {
    google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 warnings
    return ketcd::k8s::Schema::BuiltIn()->release();
  }();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  // The same bytes behind the magic reach the envelope and object parsers.
  for (const std::string& value : {bytes, std::string(ketcd::k8s::kProtobufMagic) + bytes}) {
    auto rendered = ketcd::k8s::RenderStoredValue(*schema, value);
    if (rendered.ok()) {
      // Printing must cope with whatever the strings hold (invalid UTF-8).
      (void)ketcd::JsonText(rendered->object, 4);
      (void)ketcd::ToKubectlYaml(rendered->object);
    }
  }
  (void)ketcd::JsonText(ketcd::k8s::RenderWireFields(bytes));
  return 0;
}
