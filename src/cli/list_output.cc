#include "cli/list_output.h"

#include "util/json_string.h"

namespace ketcd::cli {

std::string KubectlListHead(OutputFormat format) {
  return format == OutputFormat::kYaml ? "apiVersion: v1\nitems:"
                                       : "{\n    \"apiVersion\": \"v1\",\n    \"items\": [";
}

void AppendKubectlListItem(std::string& out, OutputFormat format, std::string_view item, bool first) {
  if (format != OutputFormat::kYaml) {
    out += KubectlListJsonItemStart(first);
    AppendJsonInLayout(out, item, kKubectlListItemLayout);
    return;
  }
  // A list item: "- " on its first line, the others two spaces in (empty
  // lines of literal blocks stay empty).
  if (first) out += '\n';
  for (size_t start = 0; start < item.size();) {
    size_t end = item.find('\n', start);
    end = end == std::string_view::npos ? item.size() : end + 1;
    const std::string_view line = item.substr(start, end - start);
    if (start == 0) {
      out += "- ";
    } else if (line != "\n") {
      out += "  ";
    }
    out.append(line);
    start = end;
  }
}

std::string_view KubectlListJsonItemStart(bool first) { return first ? "\n        " : ",\n        "; }

std::string KubectlListTail(OutputFormat format, bool empty) {
  if (format == OutputFormat::kYaml) {
    return std::string(empty ? " []\n" : "") + "kind: List\nmetadata:\n  resourceVersion: \"\"\n";
  }
  return std::string(empty ? "" : "\n    ") +
         "],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n";
}

}  // namespace ketcd::cli
