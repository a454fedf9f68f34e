#include "util/yaml_writer.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <vector>

#include "util/json_string.h"
#include "util/json_text.h"

namespace ketcd {
namespace {

using Json = nlohmann::ordered_json;

// Plain scalars a YAML 1.1 reader would not read back as the same string.
bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  // YAML 1.1 booleans and nulls.
  static constexpr std::string_view kSpecialWords[] = {
      "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
      "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~"};
  static const std::regex kNumberLike(
      R"(^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^[-+]?0x[0-9a-fA-F_]+$|)"
      R"(^[-+]?0o?[0-7_]+$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$|^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$)");
  static const std::regex kTimestampLike(R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?$)");
  const char first = s.front();
  if (std::find(std::begin(kSpecialWords), std::end(kSpecialWords), s) != std::end(kSpecialWords)) return true;
  // Numbers and timestamps start with one of these.
  if (std::isdigit(static_cast<unsigned char>(first)) || first == '.' || first == '+' || first == '-') {
    if (std::regex_match(s.begin(), s.end(), kNumberLike) ||
        std::regex_match(s.begin(), s.end(), kTimestampLike)) {
      return true;
    }
  }
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(first) != std::string_view::npos) {
    // "-x" and "?x" and ":x" are plain when followed by a non-space.
    if (!((first == '-' || first == '?' || first == ':') && s.size() > 1 && s[1] != ' ')) {
      return true;
    }
  }
  if (s.front() == ' ' || s.back() == ' ') return true;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) return true;
  if (s.back() == ':') return true;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

void AppendStringScalar(std::string& out, std::string_view s) {
  if (NeedsQuotes(s)) {
    AppendJsonString(out, s);  // JSON string syntax is valid YAML double-quoted syntax
  } else {
    out.append(s);
  }
}

bool IsBlockString(std::string_view s) {
  if (s.find('\n') == std::string_view::npos) return false;
  // Literal blocks cannot carry trailing spaces or control characters.
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n') || (c == ' ' && (i + 1 == s.size() || s[i + 1] == '\n'))) {
      return false;
    }
  }
  return s.front() != ' ' && s.front() != '\n';
}

void AppendBlock(std::string& out, std::string_view s, int indent) {
  const bool final_newline = s.back() == '\n';
  out += final_newline ? " |\n" : " |-\n";
  const std::string_view body = final_newline ? s.substr(0, s.size() - 1) : s;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view line = body.substr(start, end - start);
    if (!line.empty()) {
      out.append(static_cast<size_t>(indent + 2), ' ');
      out.append(line);
    }
    out += '\n';
    start = end + 1;
  }
}

// The writer, over either tree: nlohmann's, or the flat one read from
// compact JSON text (below). A Tree gives, for a node: IsObject, IsArray,
// Empty, IsString and String, AppendScalar (other scalars as JSON text),
// Members (sorted by key) and Elements.
template <typename Tree>
class YamlWriter {
 public:
  using Node = typename Tree::Node;
  YamlWriter(const Tree& tree, std::string& out) : tree_(tree), out_(out) {}

  void Write(Node value, int indent) { Write(value, indent, out_); }

 private:
  // "key: value" lines; nested maps indent by two, lists do not (yaml.v2).
  void WriteMapEntries(Node map, int indent, std::string& out) {
    for (const auto& [key, item] : tree_.Members(map)) {
      out.append(static_cast<size_t>(indent), ' ');
      AppendStringScalar(out, key);
      out += ':';
      if (tree_.IsObject(item) && !tree_.Empty(item)) {
        out += '\n';
        WriteMapEntries(item, indent + 2, out);
      } else if (tree_.IsArray(item) && !tree_.Empty(item)) {
        out += '\n';
        Write(item, indent, out);
      } else if (tree_.IsString(item) && IsBlockString(tree_.String(item))) {
        AppendBlock(out, tree_.String(item), indent);
      } else {
        out += ' ';
        Write(item, indent, out);
      }
    }
  }

  void Write(Node value, int indent, std::string& out) {
    if (tree_.IsObject(value)) {
      if (tree_.Empty(value)) {
        out += "{}\n";
        return;
      }
      WriteMapEntries(value, indent, out);
    } else if (tree_.IsArray(value)) {
      if (tree_.Empty(value)) {
        out += "[]\n";
        return;
      }
      for (Node item : tree_.Elements(value)) {
        out.append(static_cast<size_t>(indent), ' ');
        out += '-';
        if ((tree_.IsObject(item) || tree_.IsArray(item)) && !tree_.Empty(item)) {
          // The first entry shares the dash's line.
          std::string nested;
          if (tree_.IsObject(item)) {
            WriteMapEntries(item, indent + 2, nested);
          } else {
            Write(item, indent + 2, nested);
          }
          out += ' ';
          out.append(nested, static_cast<size_t>(indent + 2));
        } else {
          out += ' ';
          Write(item, indent + 2, out);
        }
      }
    } else {
      if (tree_.IsString(value)) {
        AppendStringScalar(out, tree_.String(value));
      } else {
        tree_.AppendScalar(value, out);
      }
      out += '\n';
    }
  }

  const Tree& tree_;
  std::string& out_;
};

struct NlohmannTree {
  using Node = const Json*;
  static bool IsObject(Node n) { return n->is_object(); }
  static bool IsArray(Node n) { return n->is_array(); }
  static bool Empty(Node n) { return n->empty(); }
  static bool IsString(Node n) { return n->is_string(); }
  static std::string_view String(Node n) { return n->get_ref<const std::string&>(); }
  static void AppendScalar(Node n, std::string& out) { out += n->is_null() ? "null" : JsonText(*n); }
  static std::vector<std::pair<std::string_view, Node>> Members(Node n) {
    std::vector<std::pair<std::string_view, Node>> members;
    for (const auto& [key, item] : n->items()) members.emplace_back(key, &item);
    std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return members;
  }
  static std::vector<Node> Elements(Node n) {
    std::vector<Node> elements;
    for (const auto& item : *n) elements.push_back(&item);
    return elements;
  }
};

// Compact JSON read into a flat array of nodes: strings unescaped into one
// buffer, containers pointing at their first child, siblings chained.
class FlatTree {
 public:
  using Node = uint32_t;

  bool Parse(std::string_view text) {
    text_ = text;
    at_ = 0;
    return ParseValue(0) && at_ == text_.size();
  }

  bool IsObject(Node n) const { return nodes_[n].kind == '{'; }
  bool IsArray(Node n) const { return nodes_[n].kind == '['; }
  bool Empty(Node n) const { return nodes_[n].first_child == kNone; }
  bool IsString(Node n) const { return nodes_[n].kind == '"'; }
  std::string_view String(Node n) const { return View(nodes_[n].text); }
  void AppendScalar(Node n, std::string& out) const { out.append(View(nodes_[n].text)); }
  std::vector<std::pair<std::string_view, Node>> Members(Node n) const {
    std::vector<std::pair<std::string_view, Node>> members;
    for (Node child = nodes_[n].first_child; child != kNone; child = nodes_[child].next_sibling) {
      members.emplace_back(View(nodes_[child].key), child);
    }
    std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return members;
  }
  std::vector<Node> Elements(Node n) const {
    std::vector<Node> elements;
    for (Node child = nodes_[n].first_child; child != kNone; child = nodes_[child].next_sibling) {
      elements.push_back(child);
    }
    return elements;
  }

 private:
  static constexpr Node kNone = UINT32_MAX;
  struct Text {
    uint32_t offset = 0, size = 0;  // in strings_ (decoded strings) or text_ (scalars)
    bool decoded = false;
  };
  struct FlatNode {
    char kind = '0';  // '{' '[' '"' or '0' for other scalars
    Node first_child = kNone, next_sibling = kNone;
    Text key, text;
  };

  std::string_view View(const Text& t) const {
    return (t.decoded ? std::string_view(strings_) : text_).substr(t.offset, t.size);
  }

  bool ParseValue(int depth) {
    if (depth > 512 || at_ >= text_.size()) return false;
    const Node self = static_cast<Node>(nodes_.size());
    nodes_.emplace_back();
    const char c = text_[at_];
    if (c == '{' || c == '[') {
      nodes_[self].kind = c;
      ++at_;
      const char close = c == '{' ? '}' : ']';
      Node previous = kNone;
      if (at_ < text_.size() && text_[at_] == close) {
        ++at_;
        return true;
      }
      for (;;) {
        Text key;
        if (c == '{') {
          if (!ParseString(&key) || at_ >= text_.size() || text_[at_++] != ':') return false;
        }
        const Node child = static_cast<Node>(nodes_.size());
        if (!ParseValue(depth + 1)) return false;
        nodes_[child].key = key;
        if (previous == kNone) {
          nodes_[self].first_child = child;
        } else {
          nodes_[previous].next_sibling = child;
        }
        previous = child;
        if (at_ >= text_.size()) return false;
        if (text_[at_] == ',') {
          ++at_;
          continue;
        }
        return text_[at_++] == close;
      }
    }
    if (c == '"') {
      nodes_[self].kind = '"';
      Text text;
      if (!ParseString(&text)) return false;
      nodes_[self].text = text;
      return true;
    }
    const size_t start = at_;
    while (at_ < text_.size() && text_[at_] != ',' && text_[at_] != '}' && text_[at_] != ']') ++at_;
    if (at_ == start) return false;
    nodes_[self].text = {static_cast<uint32_t>(start), static_cast<uint32_t>(at_ - start), false};
    return true;
  }

  // A JSON string decoded into strings_; false on anything malformed or on
  // U+FFFD (see AppendKubectlYamlFromJson).
  bool ParseString(Text* text) {
    if (at_ >= text_.size() || text_[at_] != '"') return false;
    ++at_;
    text->offset = static_cast<uint32_t>(strings_.size());
    text->decoded = true;
    for (;;) {
      const size_t run = at_;
      while (at_ < text_.size() && text_[at_] != '"' && text_[at_] != '\\') ++at_;
      strings_.append(text_.substr(run, at_ - run));
      if (at_ >= text_.size()) return false;
      if (text_[at_] == '"') break;
      if (++at_ >= text_.size()) return false;
      const char escape = text_[at_++];
      switch (escape) {
        case '"': case '\\': case '/': strings_ += escape; break;
        case 'b': strings_ += '\b'; break;
        case 'f': strings_ += '\f'; break;
        case 'n': strings_ += '\n'; break;
        case 'r': strings_ += '\r'; break;
        case 't': strings_ += '\t'; break;
        case 'u': {
          // JsonText escapes only control characters this way.
          if (at_ + 4 > text_.size() || text_.substr(at_, 2) != "00") return false;
          int value = 0;
          for (char digit : text_.substr(at_ + 2, 2)) {
            const int nibble = std::isdigit(static_cast<unsigned char>(digit)) ? digit - '0'
                               : (digit >= 'a' && digit <= 'f')             ? digit - 'a' + 10
                                                                            : -1;
            if (nibble < 0) return false;
            value = value * 16 + nibble;
          }
          strings_ += static_cast<char>(value);
          at_ += 4;
          break;
        }
        default:
          return false;
      }
    }
    ++at_;
    text->size = static_cast<uint32_t>(strings_.size() - text->offset);
    return View(*text).find("\xef\xbf\xbd") == std::string_view::npos;
  }

  std::string_view text_;
  size_t at_ = 0;
  std::vector<FlatNode> nodes_;
  std::string strings_;
};

}  // namespace

std::string ToKubectlYaml(const Json& document) {
  std::string out;
  NlohmannTree tree;
  YamlWriter<NlohmannTree>(tree, out).Write(&document, 0);
  return out;
}

bool AppendKubectlYamlFromJson(std::string& out, std::string_view compact) {
  FlatTree tree;
  if (compact.size() >= UINT32_MAX || !tree.Parse(compact)) return false;
  YamlWriter<FlatTree>(tree, out).Write(0, 0);
  return true;
}

}  // namespace ketcd
