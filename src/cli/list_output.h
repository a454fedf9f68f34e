// kubectl's List (`get -o json|yaml` without a name), printed one item at a
// time so that no list is held in memory: the text is exactly what
// JsonText(list, 4) or ToYaml(list) print for
// {"apiVersion":"v1","items":[...],"kind":"List","metadata":{"resourceVersion":""}}.
#pragma once

#include <string>
#include <string_view>

#include "cli/output.h"
#include "util/json_string.h"

namespace ketcd::cli {

// `format`: kJson or kYaml.
std::string KubectlListHead(OutputFormat format);
// `item`: the object as compact JSON (kJson) or as ToYaml prints it (kYaml).
void AppendKubectlListItem(std::string& out, OutputFormat format, std::string_view item, bool first);
// The JSON item's parts: what comes before it, and the layout of its text
// (renderers that write that layout themselves need no compact text).
std::string_view KubectlListJsonItemStart(bool first);
constexpr JsonLayout kKubectlListItemLayout{.indented = true, .level = 2};
std::string KubectlListTail(OutputFormat format, bool empty);

}  // namespace ketcd::cli
