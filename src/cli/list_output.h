// kubectl's List (`get -o json|yaml` without a name), printed one item at a
// time so that no list is held in memory: the text is exactly what
// JsonText(list, 4) or ToYaml(list) print for
// {"apiVersion":"v1","items":[...],"kind":"List","metadata":{"resourceVersion":""}}.
#pragma once

#include <string>
#include <string_view>

#include "cli/output.h"

namespace ketcd::cli {

// `format`: kJson or kYaml.
std::string KubectlListHead(OutputFormat format);
// `item`: the object as compact JSON (kJson) or as ToYaml prints it (kYaml).
void AppendKubectlListItem(std::string& out, OutputFormat format, std::string_view item, bool first);
std::string KubectlListTail(OutputFormat format, bool empty);

}  // namespace ketcd::cli
