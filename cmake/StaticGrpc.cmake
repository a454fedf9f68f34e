# Release builds link gRPC, protobuf, abseil, re2 and c-ares from their
# static archives (Debian ships both kinds). A ketcd linked against the
# shared ones loads 86 libraries, and the dynamic loader's symbol lookups
# were half of a short command's time (`ketcd version`: 30 ms, 15 ms
# static); a `get` pays it on every call. Test builds keep the shared
# libraries: many small binaries, linked faster.
#
# Works on the imported targets find_package created: each location that
# names one of these .so files is pointed at the .a beside it, when there.
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  set(_static_default ON)
else()
  set(_static_default OFF)
endif()
option(KETCD_STATIC_GRPC "Link gRPC, protobuf and abseil statically" ${_static_default})

if(KETCD_STATIC_GRPC)
  set(_static_names "grpc\\+\\+|grpc|gpr|upb|address_sorting|absl_[a-z0-9_]+|protobuf|protoc|re2|cares")
  # Returns the static archive beside `library` (a path to lib<name>.so[.N]),
  # or nothing.
  function(_ketcd_static_twin library out)
    set(${out} "" PARENT_SCOPE)
    if(library MATCHES "^(.*)/lib(${_static_names})\\.so(\\.[0-9.]+)?$")
      set(_archive "${CMAKE_MATCH_1}/lib${CMAKE_MATCH_2}.a")
      if(EXISTS "${_archive}")
        set(${out} "${_archive}" PARENT_SCOPE)
      endif()
    endif()
  endfunction()

  get_property(_imported DIRECTORY PROPERTY IMPORTED_TARGETS)
  set(_switched 0)
  foreach(_target IN LISTS _imported)
    get_target_property(_type ${_target} TYPE)
    if(_type STREQUAL "INTERFACE_LIBRARY")
      continue()
    endif()
    foreach(_property IMPORTED_LOCATION IMPORTED_LOCATION_NONE IMPORTED_LOCATION_RELEASE IMPORTED_LOCATION_DEBUG)
      get_target_property(_location ${_target} ${_property})
      if(_location)
        _ketcd_static_twin("${_location}" _archive)
        if(_archive)
          set_target_properties(${_target} PROPERTIES ${_property} "${_archive}")
          math(EXPR _switched "${_switched} + 1")
        endif()
      endif()
    endforeach()
  endforeach()
  # re2's target names it with -l; protobuf's archive needs zlib, which its
  # shared library brought along.
  find_library(_re2_archive NAMES libre2.a)
  if(TARGET re2::re2 AND _re2_archive)
    set_target_properties(re2::re2 PROPERTIES INTERFACE_LINK_LIBRARIES "-pthread;${_re2_archive}")
  endif()
  set_property(TARGET protobuf::libprotobuf APPEND PROPERTY INTERFACE_LINK_LIBRARIES ZLIB::ZLIB)
  message(STATUS "ketcd: gRPC, protobuf and abseil linked statically (${_switched} archives)")
endif()
