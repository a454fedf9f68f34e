# The built-in Kubernetes schema: every .proto of Debian's golang-k8s-api-dev
# and golang-k8s-apimachinery-dev, as unpacked by scripts/fetch-debian-packages
# (sid's newest, else trixie's), compiled into one FileDescriptorSet that
# src/k8s/builtin_schema.cc embeds. Without those packages ketcd builds with
# no built-in schema and says so.

set(KETCD_DEBIAN_DIR "${PROJECT_SOURCE_DIR}/build/debian"
    CACHE PATH "Where scripts/fetch-debian-packages keeps newer Debian packages")
set(KETCD_DEBIAN_ROOT "${KETCD_DEBIAN_DIR}/root")
set(_k8s_src "${KETCD_DEBIAN_ROOT}/usr/share/gocode/src")
file(GLOB_RECURSE _k8s_protos RELATIVE "${_k8s_src}"
     "${_k8s_src}/k8s.io/api/*.proto" "${_k8s_src}/k8s.io/apimachinery/*.proto")
# apimachinery's own test API is not part of Kubernetes.
list(FILTER _k8s_protos EXCLUDE REGEX "testapigroup")
list(SORT _k8s_protos)

set(KETCD_BUILTIN_SCHEMA_FILE "")
set(KETCD_BUILTIN_SCHEMA_VERSION "")
if(_k8s_protos)
  set(KETCD_BUILTIN_SCHEMA_FILE "${CMAKE_BINARY_DIR}/kubernetes-schema.desc")
  set(_abs_protos)
  foreach(_p IN LISTS _k8s_protos)
    list(APPEND _abs_protos "${_k8s_src}/${_p}")
  endforeach()
  add_custom_command(
    OUTPUT "${KETCD_BUILTIN_SCHEMA_FILE}"
    COMMAND ${Protobuf_PROTOC_EXECUTABLE} --include_imports
            "--descriptor_set_out=${KETCD_BUILTIN_SCHEMA_FILE}"
            -I "${_k8s_src}" -I "${Protobuf_INCLUDE_DIRS}" ${_k8s_protos}
    DEPENDS ${_abs_protos}
    COMMENT "Compiling the Kubernetes schema from Debian's k8s.io protos"
    VERBATIM)
  # JSON names, inlining and omitempty come from the Go struct tags of the
  # same packages (tools/go_json_tags.cc).
  file(GLOB_RECURSE _k8s_go RELATIVE "${_k8s_src}"
       "${_k8s_src}/k8s.io/api/*.go" "${_k8s_src}/k8s.io/apimachinery/pkg/*.go")
  list(FILTER _k8s_go EXCLUDE REGEX "(_test\\.go|testapigroup|/pkg/test/|zz_generated)")
  list(SORT _k8s_go)
  set(KETCD_BUILTIN_JSON_TAGS_FILE "${CMAKE_BINARY_DIR}/kubernetes-json-tags.txt")
  add_executable(go_json_tags "${PROJECT_SOURCE_DIR}/tools/go_json_tags.cc")
  add_custom_command(
    OUTPUT "${KETCD_BUILTIN_JSON_TAGS_FILE}"
    COMMAND go_json_tags "${_k8s_src}" "${KETCD_BUILTIN_JSON_TAGS_FILE}" ${_k8s_go}
    DEPENDS go_json_tags
    COMMENT "Extracting JSON field tags from Debian's k8s.io Go sources"
    VERBATIM)
  add_custom_target(kubernetes_schema
    DEPENDS "${KETCD_BUILTIN_SCHEMA_FILE}" "${KETCD_BUILTIN_JSON_TAGS_FILE}")
  file(STRINGS "${KETCD_DEBIAN_DIR}/versions" _api_version REGEX "^golang-k8s-api-dev ")
  string(REPLACE "golang-k8s-api-dev " "" _api_version "${_api_version}")
  string(REGEX REPLACE " (.*)$" " (Debian \\1)" _api_version "${_api_version}")
  set(KETCD_BUILTIN_SCHEMA_VERSION "k8s.io/api ${_api_version}")
  list(LENGTH _k8s_protos _count)
  message(STATUS "built-in Kubernetes schema: ${KETCD_BUILTIN_SCHEMA_VERSION}, ${_count} protos")
else()
  message(WARNING "no Kubernetes protos under ${_k8s_src}: building without a built-in "
                  "schema (scripts/install-deps fetches them)")
endif()
