# Release builds link gRPC, protobuf, abseil, re2 and c-ares from their
# static archives (Debian ships both kinds). A ketcd linked against the
# shared ones loads 86 libraries, and the dynamic loader's symbol lookups
# were half of a short command's time (`ketcd --version`: 25 ms, 16 ms
# static); a `get` pays it on every call. Test builds keep the shared
# libraries: many small binaries, linked faster.
#
# Works on the imported targets find_package created: each location that
# names one of these .so files is pointed at the .a beside it.
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  set(_static_default ON)
else()
  set(_static_default OFF)
endif()
option(KETCD_STATIC_GRPC "Link gRPC, protobuf and abseil statically" ${_static_default})

if(KETCD_STATIC_GRPC)
  set(_static_names "grpc\\+\\+|grpc|gpr|upb|address_sorting|absl_[a-z0-9_]+|protobuf|protoc|re2|cares")
  # Every location naming one of these shared libraries, and its archive.
  # All or nothing: a static protobuf beside gRPC's shared one would hold
  # two descriptor pools, which protobuf aborts on.
  set(_switches)
  set(_missing)
  get_property(_imported DIRECTORY PROPERTY IMPORTED_TARGETS)
  foreach(_target IN LISTS _imported)
    get_target_property(_type ${_target} TYPE)
    if(_type STREQUAL "INTERFACE_LIBRARY")
      continue()
    endif()
    foreach(_property IMPORTED_LOCATION IMPORTED_LOCATION_NONE IMPORTED_LOCATION_RELEASE IMPORTED_LOCATION_DEBUG)
      get_target_property(_location ${_target} ${_property})
      if(_location AND _location MATCHES "^(.*)/lib(${_static_names})\\.so(\\.[0-9.]+)?$")
        set(_archive "${CMAKE_MATCH_1}/lib${CMAKE_MATCH_2}.a")
        if(EXISTS "${_archive}")
          list(APPEND _switches "${_target}|${_property}|${_archive}")
        else()
          list(APPEND _missing "${_archive}")
        endif()
      endif()
    endforeach()
  endforeach()
  find_library(_re2_archive NAMES libre2.a NO_CACHE)
  if(NOT _re2_archive)
    list(APPEND _missing "libre2.a")
  endif()
  if(_missing)
    list(GET _missing 0 _first_missing)
    message(STATUS "ketcd: gRPC and protobuf linked as shared libraries (no ${_first_missing})")
  else()
    foreach(_switch IN LISTS _switches)
      string(REPLACE "|" ";" _parts "${_switch}")
      list(GET _parts 0 _target)
      list(GET _parts 1 _property)
      list(GET _parts 2 _archive)
      set_target_properties(${_target} PROPERTIES ${_property} "${_archive}")
    endforeach()
    # re2's target names it with -l; protobuf's archive needs zlib, which
    # its shared library brought along.
    if(TARGET re2::re2)
      set_target_properties(re2::re2 PROPERTIES INTERFACE_LINK_LIBRARIES "-pthread;${_re2_archive}")
    endif()
    set_property(TARGET protobuf::libprotobuf APPEND PROPERTY INTERFACE_LINK_LIBRARIES ZLIB::ZLIB)
    list(LENGTH _switches _count)
    message(STATUS "ketcd: gRPC, protobuf and abseil linked statically (${_count} archives)")
  endif()
endif()
