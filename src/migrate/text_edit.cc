#include "migrate/text_edit.h"

#include "k8s/cbor.h"

#include <utility>
#include <vector>

namespace ketcd::migrate {
namespace {

bool IsAddressChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
         c == ':' || c == '/';
}

// Rewrites every maximal run of address characters in `span`, appending to
// `out`; sets `changed` when a token was replaced.
Status RewriteTokens(std::string_view span, const TokenRewriter& rewrite, std::string& out,
                     bool& changed) {
  size_t i = 0;
  while (i < span.size()) {
    if (!IsAddressChar(span[i])) {
      out.push_back(span[i++]);
      continue;
    }
    size_t end = i;
    while (end < span.size() && IsAddressChar(span[end])) ++end;
    const std::string_view token = span.substr(i, end - i);
    auto replacement = rewrite(token);
    if (!replacement.ok()) return replacement.status();
    if (replacement->has_value()) {
      out.append(**replacement);
      changed = true;
    } else {
      out.append(token);
    }
    i = end;
  }
  return Status::Ok();
}

size_t Indent(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

// The value part of a line before a " #" comment.
size_t CommentStart(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ')) return i;
  }
  return line.size();
}

// Appends `line` with the tokens after position `from` (up to a comment)
// rewritten.
Status RewriteLineTail(std::string_view line, size_t from, const TokenRewriter& rewrite,
                       std::string& out, bool& changed) {
  const size_t comment = std::max(from, CommentStart(line));
  out.append(line.substr(0, from));
  KETCD_RETURN_IF_ERROR(RewriteTokens(line.substr(from, comment - from), rewrite, out, changed));
  out.append(line.substr(comment));
  return Status::Ok();
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end);
  }
  return lines;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Minimal JSON walker that records the spans of string values at a path.
class JsonStringFinder {
 public:
  JsonStringFinder(std::string_view text, std::span<const std::string> path)
      : text_(text), path_(path) {}

  Result<std::vector<std::pair<size_t, size_t>>> Find() {
    KETCD_RETURN_IF_ERROR(Value(0, 0));
    SkipSpace();
    if (pos_ != text_.size()) return Error("text after the document");
    return std::move(spans_);
  }

 private:
  static constexpr int kMaxDepth = 64;

  Status Error(const std::string& what) const {
    return DataLoss("malformed JSON at byte " + std::to_string(pos_) + ": " + what);
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }
  // A string starting at pos_ (the quote); returns its raw contents.
  Result<std::string_view> String() {
    const size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') pos_ += text_[pos_] == '\\' ? 2 : 1;
    if (pos_ >= text_.size()) return Error("unterminated string");
    return text_.substr(start, pos_++ - start);
  }
  // `matched`: how many path keys the enclosing keys matched; `depth` the
  // nesting depth.
  Status Value(size_t matched, int depth) {
    if (depth > kMaxDepth) return Error("nested too deep");
    SkipSpace();
    if (pos_ >= text_.size()) return Error("value expected");
    const char c = text_[pos_];
    if (c == '{') return Object(matched, depth);
    if (c == '[') {
      ++pos_;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, Status::Ok();
      while (true) {
        KETCD_RETURN_IF_ERROR(Value(matched, depth + 1));
        SkipSpace();
        if (pos_ < text_.size() && text_[pos_] == ',') { ++pos_; continue; }
        if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, Status::Ok();
        return Error("',' or ']' expected");
      }
    }
    if (c == '"') {
      const size_t start = pos_ + 1;
      auto contents = String();
      if (!contents.ok()) return contents.status();
      if (matched == path_.size() && contents->find('\\') == std::string_view::npos) {
        spans_.emplace_back(start, contents->size());
      }
      return Status::Ok();
    }
    const size_t start = pos_;
    while (pos_ < text_.size() && std::string_view(",]} \n\r\t").find(text_[pos_]) == std::string_view::npos) ++pos_;
    if (pos_ == start) return Error("value expected");
    return Status::Ok();
  }
  Status Object(size_t matched, int depth) {
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, Status::Ok();
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Error("object key expected");
      auto key = String();
      if (!key.ok()) return key.status();
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Error("':' expected");
      ++pos_;
      const bool on_path = matched < path_.size() && *key == path_[matched];
      KETCD_RETURN_IF_ERROR(Value(on_path ? matched + 1 : kOffPath, depth + 1));
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') { ++pos_; continue; }
      if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, Status::Ok();
      return Error("',' or '}' expected");
    }
  }
  // Off the path for good: no key below can match.
  static constexpr size_t kOffPath = static_cast<size_t>(-1) / 2;

  std::string_view text_;
  std::span<const std::string> path_;
  size_t pos_ = 0;
  std::vector<std::pair<size_t, size_t>> spans_;
};

}  // namespace

Result<std::optional<std::string>> RewriteYamlKey(std::string_view text, std::string_view key,
                                                  const TokenRewriter& rewrite) {
  const std::vector<std::string_view> lines = SplitLines(text);
  std::string out;
  bool changed = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const size_t indent = Indent(line);
    size_t start = indent;
    if (line.substr(start, 2) == "- ") start += 2;  // "- key: value" in a list of maps
    const std::string_view rest = line.substr(start);
    if (rest.substr(0, key.size()) != key || rest.substr(key.size(), 1) != ":") {
      out.append(line);
      continue;
    }
    const size_t value_start = start + key.size() + 1;
    const size_t comment = std::max(value_start, CommentStart(line));
    if (!IsBlank(line.substr(value_start, comment - value_start))) {
      KETCD_RETURN_IF_ERROR(RewriteLineTail(line, value_start, rewrite, out, changed));
      continue;
    }
    // A block list: "- item" lines at the key's indentation or deeper.
    out.append(line);
    while (i + 1 < lines.size()) {
      const std::string_view item = lines[i + 1];
      if (IsBlank(item)) {
        out.append(item);
        ++i;
        continue;
      }
      const size_t item_indent = Indent(item);
      if (item_indent < indent || item.substr(item_indent, 2) != "- ") break;
      KETCD_RETURN_IF_ERROR(RewriteLineTail(item, item_indent + 2, rewrite, out, changed));
      ++i;
    }
  }
  if (!changed) return std::optional<std::string>();
  return std::optional<std::string>(std::move(out));
}

Result<std::optional<std::string>> RewriteFlagValue(std::string_view text, std::string_view flag,
                                                    const TokenRewriter& rewrite) {
  const std::string needle = std::string(flag) + "=";
  std::string out;
  bool changed = false;
  for (std::string_view line : SplitLines(text)) {
    const size_t at = line.find(needle);
    if (at == std::string_view::npos) {
      out.append(line);
      continue;
    }
    KETCD_RETURN_IF_ERROR(RewriteLineTail(line, at + needle.size(), rewrite, out, changed));
  }
  if (!changed) return std::optional<std::string>();
  return std::optional<std::string>(std::move(out));
}

Result<std::optional<std::string>> RewriteJsonStrings(std::string_view text,
                                                      std::span<const std::string> path,
                                                      const TokenRewriter& rewrite) {
  auto spans = JsonStringFinder(text, path).Find();
  if (!spans.ok()) return spans.status();
  std::string out;
  bool changed = false;
  size_t copied = 0;
  for (const auto& [start, size] : *spans) {
    out.append(text.substr(copied, start - copied));
    KETCD_RETURN_IF_ERROR(RewriteTokens(text.substr(start, size), rewrite, out, changed));
    copied = start + size;
  }
  if (!changed) return std::optional<std::string>();
  out.append(text.substr(copied));
  return std::optional<std::string>(std::move(out));
}

namespace {

// Rewrites the tokens of the strings at `path` under `value` (arrays on the
// way are looked through).
Status RewriteJsonValueStrings(k8s::Json& value, std::span<const std::string> path,
                               const TokenRewriter& rewrite, bool& changed) {
  if (value.is_array()) {
    for (k8s::Json& item : value) KETCD_RETURN_IF_ERROR(RewriteJsonValueStrings(item, path, rewrite, changed));
    return Status::Ok();
  }
  if (path.empty()) {
    if (!value.is_string()) return Status::Ok();
    std::string out;
    KETCD_RETURN_IF_ERROR(RewriteTokens(value.get_ref<const std::string&>(), rewrite, out, changed));
    value = out;
    return Status::Ok();
  }
  if (!value.is_object() || !value.contains(path.front())) return Status::Ok();
  return RewriteJsonValueStrings(value[path.front()], path.subspan(1), rewrite, changed);
}

}  // namespace

Result<std::optional<std::string>> RewriteCborStrings(std::string_view bytes,
                                                      std::span<const std::string> path,
                                                      const TokenRewriter& rewrite) {
  auto value = k8s::CborToJson(bytes);
  if (!value.ok()) return value.status();
  // Re-encoding must give back the stored bytes, or the rewrite would change
  // more than the addresses.
  if (k8s::JsonToCbor(*value) != bytes) {
    return Failed("stored CBOR that ketcd cannot re-encode byte for byte");
  }
  bool changed = false;
  KETCD_RETURN_IF_ERROR(RewriteJsonValueStrings(*value, path, rewrite, changed));
  if (!changed) return std::optional<std::string>();
  return std::optional<std::string>(k8s::JsonToCbor(*value));
}

}  // namespace ketcd::migrate
