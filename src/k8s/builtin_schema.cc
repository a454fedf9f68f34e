#include "k8s/builtin_schema.h"

// The descriptor set is linked in as raw bytes with the assembler's .incbin,
// so a 300 KB blob costs no generated source and no compile time.
#if KETCD_HAVE_BUILTIN_SCHEMA
asm(".section .rodata\n"
    ".balign 16\n"
    ".globl ketcd_builtin_schema_begin\n"
    ".hidden ketcd_builtin_schema_begin\n"
    ".globl ketcd_builtin_schema_end\n"
    ".hidden ketcd_builtin_schema_end\n"
    "ketcd_builtin_schema_begin:\n"
    ".incbin \"" KETCD_BUILTIN_SCHEMA_FILE
    "\"\n"
    "ketcd_builtin_schema_end:\n"
    ".globl ketcd_builtin_json_tags_begin\n"
    ".hidden ketcd_builtin_json_tags_begin\n"
    ".globl ketcd_builtin_json_tags_end\n"
    ".hidden ketcd_builtin_json_tags_end\n"
    "ketcd_builtin_json_tags_begin:\n"
    ".incbin \"" KETCD_BUILTIN_JSON_TAGS_FILE
    "\"\n"
    "ketcd_builtin_json_tags_end:\n"
    ".previous\n");
extern "C" const char ketcd_builtin_schema_begin[];
extern "C" const char ketcd_builtin_schema_end[];
extern "C" const char ketcd_builtin_json_tags_begin[];
extern "C" const char ketcd_builtin_json_tags_end[];
#endif

namespace ketcd::k8s {

std::string_view BuiltInSchemaData() {
#if KETCD_HAVE_BUILTIN_SCHEMA
  return std::string_view(ketcd_builtin_schema_begin,
                          ketcd_builtin_schema_end - ketcd_builtin_schema_begin);
#else
  return {};
#endif
}

std::string_view BuiltInJsonTags() {
#if KETCD_HAVE_BUILTIN_SCHEMA
  return std::string_view(ketcd_builtin_json_tags_begin,
                          ketcd_builtin_json_tags_end - ketcd_builtin_json_tags_begin);
#else
  return {};
#endif
}

const char* BuiltInSchemaVersion() { return KETCD_BUILTIN_SCHEMA_VERSION; }

}  // namespace ketcd::k8s
