# Compiles etcd's gRPC API from the .proto files that Debian ships in
# golang-etcd-server-dev (plus the gogo options and google.api annotations
# they import). The files are never copied into this repository: the build
# reads them from the installed packages.

set(KETCD_GOCODE_ROOT "/usr/share/gocode/src" CACHE PATH "Root of Debian's Go source packages")
set(_etcd_root "${KETCD_GOCODE_ROOT}/go.etcd.io")
set(_gogo_root "${KETCD_GOCODE_ROOT}/github.com/gogo/protobuf")
set(_googleapis_root "${KETCD_GOCODE_ROOT}/github.com/gogo/googleapis")

# Proto paths relative to their import roots, as the files import each other.
set(_etcd_protos
  etcd/mvcc/mvccpb/kv.proto
  etcd/auth/authpb/auth.proto
  etcd/etcdserver/etcdserverpb/rpc.proto
  # What a restore writes: WAL records, raft entries and snapshots.
  etcd/etcdserver/etcdserverpb/etcdserver.proto
  etcd/etcdserver/api/snap/snappb/snap.proto
  etcd/raft/raftpb/raft.proto
  etcd/wal/walpb/record.proto)
set(_option_protos
  gogoproto/gogo.proto
  google/api/annotations.proto
  google/api/http.proto)

foreach(_p IN LISTS _etcd_protos)
  if(NOT EXISTS "${_etcd_root}/${_p}")
    message(FATAL_ERROR "etcd proto ${_p} not found under ${_etcd_root}: install golang-etcd-server-dev")
  endif()
endforeach()

set(_gen_dir "${CMAKE_BINARY_DIR}/gen")
file(MAKE_DIRECTORY "${_gen_dir}")
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

set(_proto_srcs)
set(_proto_inputs)
foreach(_p IN LISTS _etcd_protos _option_protos)
  string(REGEX REPLACE "\\.proto$" "" _base "${_p}")
  list(APPEND _proto_srcs "${_gen_dir}/${_base}.pb.cc" "${_gen_dir}/${_base}.pb.h")
endforeach()
# Only rpc.proto declares services.
list(APPEND _proto_srcs
  "${_gen_dir}/etcd/etcdserver/etcdserverpb/rpc.grpc.pb.cc"
  "${_gen_dir}/etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h")

set(_include_args
  -I${_etcd_root} -I${_gogo_root} -I${_googleapis_root} -I${Protobuf_INCLUDE_DIRS})
add_custom_command(
  OUTPUT ${_proto_srcs}
  COMMAND ${Protobuf_PROTOC_EXECUTABLE} ${_include_args}
          --cpp_out=${_gen_dir} ${_etcd_protos} ${_option_protos}
  COMMAND ${Protobuf_PROTOC_EXECUTABLE} ${_include_args}
          --grpc_out=${_gen_dir} --plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN}
          etcd/etcdserver/etcdserverpb/rpc.proto
  DEPENDS ${_etcd_root}/etcd/etcdserver/etcdserverpb/rpc.proto
  COMMENT "Compiling etcd protos from ${_etcd_root}"
  VERBATIM)

add_library(etcd_protos STATIC ${_proto_srcs})
target_include_directories(etcd_protos SYSTEM PUBLIC "${_gen_dir}")
target_link_libraries(etcd_protos PUBLIC gRPC::grpc++ protobuf::libprotobuf)
# Generated code is not ours to warn about.
target_compile_options(etcd_protos PRIVATE -w)
