# The built-in Kubernetes schemas. Sources, newest release first: the
# k8s.io/api and k8s.io/apimachinery Go modules of every release in
# cmake/kubernetes-api-releases.txt that scripts/fetch-k8s-api laid out in
# build/k8s-api (with Go and the module registry), else the Debian unpacks of
# golang-k8s-api-dev / golang-k8s-apimachinery-dev made by
# scripts/fetch-debian-packages (sid's newest in build/debian, trixie's older
# in build/debian-trixie). For each release every .proto is compiled into a
# FileDescriptorSet and the Go struct tags are extracted
# (tools/go_json_tags.cc); tools/merge_k8s_schemas.cc merges them all into
# the default schema (the newest, plus what older releases had that it
# dropped). A generated builtin_schemas.cc embeds the merged one first, then
# each release (for --schema builtin:VERSION), with .incbin. Without any
# source ketcd builds with no built-in schema and says so.

set(KETCD_DEBIAN_DIR "${PROJECT_SOURCE_DIR}/build/debian"
    CACHE PATH "Where scripts/fetch-debian-packages keeps sid's packages")
set(KETCD_DEBIAN_TRIXIE_DIR "${PROJECT_SOURCE_DIR}/build/debian-trixie"
    CACHE PATH "Where scripts/fetch-debian-packages keeps trixie's packages")
set(KETCD_DEBIAN_ROOT "${KETCD_DEBIAN_DIR}/root")
set(KETCD_K8S_API_DIR "${PROJECT_SOURCE_DIR}/build/k8s-api"
    CACHE PATH "Where scripts/fetch-k8s-api lays out the Kubernetes API modules")

# Release sources: parallel lists of source roots and version labels.
set(_release_roots "")
set(_release_labels "")
file(STRINGS "${PROJECT_SOURCE_DIR}/cmake/kubernetes-api-releases.txt" _releases REGEX "^v[0-9]")
foreach(_line IN LISTS _releases)
  string(REGEX REPLACE "^v([^ ]+).*$" "\\1" _version "${_line}")
  set(_root "${KETCD_K8S_API_DIR}/v${_version}/src")
  if(EXISTS "${_root}/k8s.io/api/core/v1/generated.proto" AND
     EXISTS "${_root}/k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto")
    list(APPEND _release_roots "${_root}")
    list(APPEND _release_labels "k8s.io/api ${_version} (Go module)")
  endif()
endforeach()
if(NOT _release_roots)
  foreach(_debian_dir IN ITEMS "${KETCD_DEBIAN_DIR}" "${KETCD_DEBIAN_TRIXIE_DIR}")
    if(NOT EXISTS "${_debian_dir}/versions")
      continue()
    endif()
    file(STRINGS "${_debian_dir}/versions" _version REGEX "^golang-k8s-api-dev ")
    string(REGEX REPLACE "^golang-k8s-api-dev ([^ ]+) (.*)$" "k8s.io/api \\1 (Debian \\2)"
           _version "${_version}")
    list(APPEND _release_roots "${_debian_dir}/root/usr/share/gocode/src")
    list(APPEND _release_labels "${_version}")
  endforeach()
endif()

add_executable(go_json_tags "${PROJECT_SOURCE_DIR}/tools/go_json_tags.cc")
add_executable(merge_k8s_schemas "${PROJECT_SOURCE_DIR}/tools/merge_k8s_schemas.cc")
target_link_libraries(merge_k8s_schemas PRIVATE protobuf::libprotobuf)
# Build-time tools run on trusted input: optimised and without the tree's
# sanitizers, which made extracting the tags a minute of every build.
foreach(_tool IN ITEMS go_json_tags merge_k8s_schemas)
  target_compile_options(${_tool} PRIVATE -O2 -fno-sanitize=all)
  target_link_options(${_tool} PRIVATE -fno-sanitize=all)
endforeach()
add_custom_target(kubernetes_schema)
set(_schema_entries "")
set(_schema_externs "")
set(_schema_asm "")
set(_schema_files "")
set(_merge_inputs "")
set(_merged_labels "")

# Embeds DESC and TAGS as blob ID, listed as LABEL (MERGED: the default).
macro(_ketcd_embed_schema id label desc tags merged)
  foreach(_part IN ITEMS desc tags)
    if(_part STREQUAL "desc")
      set(_file "${desc}")
    else()
      set(_file "${tags}")
    endif()
    string(APPEND _schema_asm
      "    \".globl ketcd_schema_${id}_${_part}_begin\\n\"\n"
      "    \".hidden ketcd_schema_${id}_${_part}_begin\\n\"\n"
      "    \".globl ketcd_schema_${id}_${_part}_end\\n\"\n"
      "    \".hidden ketcd_schema_${id}_${_part}_end\\n\"\n"
      "    \"ketcd_schema_${id}_${_part}_begin:\\n\"\n"
      "    \".incbin \\\"${_file}\\\"\\n\"\n"
      "    \"ketcd_schema_${id}_${_part}_end:\\n\"\n")
  endforeach()
  string(APPEND _schema_entries
    "    {\"${label}\", ${merged}, Span(ketcd_schema_${id}_desc_begin, ketcd_schema_${id}_desc_end),\n"
    "     Span(ketcd_schema_${id}_tags_begin, ketcd_schema_${id}_tags_end)},\n")
  string(APPEND _schema_externs
    "extern \"C\" const char ketcd_schema_${id}_desc_begin[], ketcd_schema_${id}_desc_end[];\n"
    "extern \"C\" const char ketcd_schema_${id}_tags_begin[], ketcd_schema_${id}_tags_end[];\n")
  list(APPEND _schema_files "${desc}" "${tags}")
endmacro()

list(LENGTH _release_roots _release_count)
set(_index 0)
while(_index LESS _release_count)
  list(GET _release_roots ${_index} _src)
  list(GET _release_labels ${_index} _version)
  # The module cache is reached through links: follow them.
  file(GLOB_RECURSE _protos FOLLOW_SYMLINKS RELATIVE "${_src}"
       "${_src}/k8s.io/api/*.proto" "${_src}/k8s.io/apimachinery/*.proto")
  # apimachinery's own test API is not part of Kubernetes.
  list(FILTER _protos EXCLUDE REGEX "testapigroup")
  list(SORT _protos)
  file(GLOB_RECURSE _go FOLLOW_SYMLINKS RELATIVE "${_src}"
       "${_src}/k8s.io/api/*.go" "${_src}/k8s.io/apimachinery/pkg/*.go")
  list(FILTER _go EXCLUDE REGEX "(_test\\.go|testapigroup|/pkg/test/|zz_generated)")
  list(SORT _go)
  set(_abs_protos)
  foreach(_p IN LISTS _protos)
    list(APPEND _abs_protos "${_src}/${_p}")
  endforeach()
  set(_desc "${CMAKE_BINARY_DIR}/kubernetes-schema-${_index}.desc")
  set(_tags "${CMAKE_BINARY_DIR}/kubernetes-json-tags-${_index}.txt")
  add_custom_command(
    OUTPUT "${_desc}"
    COMMAND sh "${PROJECT_SOURCE_DIR}/cmake/quiet_protoc.sh"
            ${Protobuf_PROTOC_EXECUTABLE} --include_imports "--descriptor_set_out=${_desc}"
            -I "${_src}" -I "${Protobuf_INCLUDE_DIRS}" ${_protos}
    DEPENDS ${_abs_protos}
    COMMENT "Compiling the Kubernetes schema ${_version}"
    VERBATIM)
  add_custom_command(
    OUTPUT "${_tags}"
    COMMAND go_json_tags "${_src}" "${_tags}" ${_go}
    DEPENDS go_json_tags
    COMMENT "Extracting JSON field tags of ${_version}"
    VERBATIM)
  list(APPEND _merge_inputs "${_desc}" "${_tags}")
  string(REGEX REPLACE "^k8s.io/api ([^ ]+).*$" "\\1" _short "${_version}")
  list(APPEND _merged_labels "${_short}")
  _ketcd_embed_schema(${_index} "${_version}" "${_desc}" "${_tags}" false)
  message(STATUS "built-in Kubernetes schema: ${_version}")
  math(EXPR _index "${_index} + 1")
endwhile()

if(_release_count GREATER 0)
  # The default: the newest release with what the older ones add. It comes
  # first in the generated table.
  set(_merged_desc "${CMAKE_BINARY_DIR}/kubernetes-schema-merged.desc")
  set(_merged_tags "${CMAKE_BINARY_DIR}/kubernetes-json-tags-merged.txt")
  add_custom_command(
    OUTPUT "${_merged_desc}" "${_merged_tags}"
    COMMAND merge_k8s_schemas "${_merged_desc}" "${_merged_tags}" ${_merge_inputs}
    DEPENDS merge_k8s_schemas ${_merge_inputs}
    COMMENT "Merging the Kubernetes schemas of ${_release_count} releases"
    VERBATIM)
  add_custom_target(kubernetes_schema_files DEPENDS "${_merged_desc}" "${_merged_tags}")
  add_dependencies(kubernetes_schema kubernetes_schema_files)
  list(GET _merged_labels 0 _newest)
  set(_older_labels ${_merged_labels})
  list(REMOVE_AT _older_labels 0)
  string(REPLACE ";" ", " _merged_text "${_older_labels}")
  if(_merged_text STREQUAL "")
    set(_merged_text "no older release")
  endif()
  set(_releases_asm "${_schema_asm}")
  set(_releases_entries "${_schema_entries}")
  set(_schema_asm "")
  set(_schema_entries "")
  _ketcd_embed_schema(merged "k8s.io/api ${_newest} + what ${_merged_text} had"
                      "${_merged_desc}" "${_merged_tags}" true)
  string(APPEND _schema_asm "${_releases_asm}")
  string(APPEND _schema_entries "${_releases_entries}")
else()
  message(WARNING "no Kubernetes API sources (scripts/install-deps fetches them): "
                  "ketcd builds without a built-in schema")
endif()

# The generated source: the blobs, linked in as raw bytes with the
# assembler's .incbin (no generated C arrays, no compile time).
set(KETCD_BUILTIN_SCHEMAS_SOURCE "${CMAKE_BINARY_DIR}/builtin_schemas.cc")
string(CONCAT _content "// Generated by cmake/KubernetesSchema.cmake. Do not edit.\n"
                      "#include \"k8s/builtin_schema.h\"\n\n")
if(_release_count GREATER 0)
  string(APPEND _content "asm(\".section .rodata\\n\"\n    \".balign 16\\n\"\n${_schema_asm}"
                         "    \".previous\\n\");\n${_schema_externs}\n")
endif()
string(APPEND _content
  "namespace ketcd::k8s {\nnamespace {\n"
  "std::string_view Span(const char* begin, const char* end) {\n"
  "  return std::string_view(begin, static_cast<size_t>(end - begin));\n}\n}  // namespace\n\n"
  "std::vector<BuiltInSchemaBlob> BuiltInSchemaBlobs() {\n  return {\n${_schema_entries}  };\n}\n\n"
  "}  // namespace ketcd::k8s\n")
file(CONFIGURE OUTPUT "${KETCD_BUILTIN_SCHEMAS_SOURCE}" CONTENT "${_content}" @ONLY)
# What the generated source's object depends on (src/CMakeLists.txt sets
# it there: source properties belong to the directory that compiles it).
set(KETCD_BUILTIN_SCHEMA_FILES "${_schema_files}")
