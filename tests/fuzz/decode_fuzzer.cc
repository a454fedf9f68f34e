// libFuzzer target: any bytes given to the decoder (as a stored value, after
// the protobuf magic, or as bare wire fields) must give a result or an error,
// never a crash, a hang or a sanitizer report; and the streaming renderer
// must print exactly what the DOM renderer prints (it aborts otherwise).
// scripts/test runs it briefly, seeded with the Kubernetes fixtures.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "k8s/object_renderer.h"
#include "k8s/schema.h"
#include "k8s/storage_envelope.h"
#include "k8s/stream_renderer.h"
#include "util/json_text.h"
#include "util/yaml_writer.h"

namespace {

const ketcd::k8s::ReadView kViews[] = {
    {},
    {.mod_revision = 77, .hide_managed_fields = true, .read_conversions = true},
};

void CheckStreamedAsTheDom(const ketcd::k8s::StreamRenderer& renderer, const std::string& value) {
  for (const auto& view : kViews) {
    auto dom = ketcd::k8s::RenderStoredValue(renderer.schema(), value, view);
    std::string streamed;
    std::vector<std::string> warnings;
    ketcd::Status status = renderer.AppendJson(value, view, &streamed, &warnings);
    const std::string expected = dom.ok() ? ketcd::JsonText(dom->object) : "";
    if (status.ok() != dom.ok() || (dom.ok() && streamed != expected)) {
      std::fprintf(stderr, "streaming renderer differs:\n dom:    %s\n stream: %s\n", expected.c_str(),
                   streamed.c_str());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* schema = [] {
    google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 warnings
    return ketcd::k8s::Schema::BuiltIn()->release();
  }();
  static const ketcd::k8s::StreamRenderer renderer(*schema);
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  // The same bytes behind the magic reach the envelope and object parsers.
  for (const std::string& value : {bytes, std::string(ketcd::k8s::kProtobufMagic) + bytes}) {
    auto rendered = ketcd::k8s::RenderStoredValue(*schema, value);
    if (rendered.ok()) {
      // Printing must cope with whatever the strings hold (invalid UTF-8).
      (void)ketcd::JsonText(rendered->object, 4);
      (void)ketcd::ToKubectlYaml(rendered->object);
    }
    CheckStreamedAsTheDom(renderer, value);
  }
  (void)ketcd::JsonText(ketcd::k8s::RenderWireFields(bytes));
  return 0;
}
