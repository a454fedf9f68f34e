// JSON text written straight into a buffer, exactly as JsonText (nlohmann's
// dump with invalid UTF-8 replaced) would print the same value, for the
// renderers that stream objects without building a JSON tree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ketcd {

// `text` as a quoted JSON string: `"` `\` and control characters escaped
// (\b \t \n \f \r, else \u00xx), other bytes as they are; invalid UTF-8
// becomes U+FFFD as JsonText does.
void AppendJsonString(std::string& out, std::string_view text);

void AppendJsonInteger(std::string& out, int64_t value);
void AppendJsonUnsigned(std::string& out, uint64_t value);
// nlohmann's shortest round-trip form ("0.5", "3.0", "1e+100"); NaN and
// infinities print as null.
void AppendJsonDouble(std::string& out, double value);

// In JSON text, the position just past the string whose opening quote is
// at `quote`: past its first quote not escaped (one after an even number of
// backslashes); npos when the string is not closed.
size_t JsonStringEnd(std::string_view text, size_t quote);

// Compact JSON text (as JsonText prints it) re-printed as JsonText(value, 4)
// would print it, its lines after the first indented by `level` steps of
// four spaces: for a value nested at that depth in an indented document.
void AppendIndentedJson(std::string& out, std::string_view compact, int level);

// A line break and `level` steps of four spaces: one line of that text.
void AppendJsonLineBreak(std::string& out, int level);

// How JSON text is laid out: compact (JsonText(value)), or indented as
// AppendIndentedJson(out, text, level) lays it out (kubectl's -o json).
struct JsonLayout {
  bool indented = false;
  int level = 0;
};

// Compact text appended in `layout`.
void AppendJsonInLayout(std::string& out, std::string_view compact, JsonLayout layout);

}  // namespace ketcd
