# cmake -DINPUT=file -DOUTPUT=file.cc -DNAME=symbol -DNAMESPACE=ns -P embed_text.cmake
# Writes a C++ source defining `extern const std::string_view NAME` with the
# bytes of INPUT: files shipped inside the binary (the stats report page)
# stay files in the tree, reviewable as what they are.
file(READ "${INPUT}" content)
set(delimiter "ketcd_embedded")
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter )${delimiter}\"")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/embed_text.cmake: do not edit.\n"
  "#include <string_view>\n"
  "namespace ${NAMESPACE} {\n"
  "extern const std::string_view ${NAME};\n"
  "const std::string_view ${NAME} = R\"${delimiter}(${content})${delimiter}\";\n"
  "}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
