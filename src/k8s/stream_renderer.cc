#include "k8s/stream_renderer.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstring>

#include "k8s/read_conversions.h"
#include "k8s/storage_envelope.h"
#include "util/base64.h"
#include "util/duration.h"
#include "util/json_string.h"
#include "util/json_text.h"
#include "util/text_buffer.h"
#include "util/utc_time.h"

namespace ketcd::k8s {
namespace {

// Deeper objects go to the DOM renderer (protobuf's own limit is 100).
constexpr int kMaxDepth = 64;

// One field occurrence in a message's bytes: a varint or fixed-width value,
// or a length-delimited payload (a string, a message, packed scalars).
struct Occurrence {
  uint32_t slot = 0;
  uint32_t length = 0;
  uint64_t value = 0;
  const char* data = nullptr;  // set for a length-delimited payload
  std::string_view bytes() const { return {data, length}; }
};

using Occurrences = std::vector<Occurrence>;

struct Span {
  const Occurrence* begin = nullptr;
  const Occurrence* end = nullptr;
  bool empty() const { return begin == end; }
};

struct MapEntry {
  std::string_view key;  // into the object's bytes, or into owned_key
  std::string owned_key;
  Occurrence value;
  bool has_value = false;
};

// Per-thread buffers, one per nesting level, reused for every object.
struct Scratch {
  std::array<Occurrences, kMaxDepth + 2> occurrences;
  std::array<std::vector<MapEntry>, kMaxDepth + 2> entries;
};

// util/varint.h's reading, stricter: a tenth byte above 1 (bits past 64)
// is declined here and left to protobuf's parser in the DOM renderer.
bool ReadVarint(const char*& p, const char* end, uint64_t* value) {
  // Tags and most lengths are one byte.
  if (p < end && static_cast<uint8_t>(*p) < 0x80) {
    *value = static_cast<uint8_t>(*p++);
    return true;
  }
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const auto byte = static_cast<uint8_t>(*p++);
    if (shift == 63 && byte > 1) return false;
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

uint64_t ReadLittleEndian(const char* p, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(p[i]);
  return value;
}

// A byte JSON text cannot hold as it is: a control character, a quote, a
// backslash, or a byte past ASCII (AppendJsonString checks UTF-8). Eight
// bytes at a time: most strings need nothing.
bool NeedsEscape(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
  auto has_zero_byte = [](uint64_t x) { return ((x - kOnes) & ~x & kHigh) != 0; };
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t v;
    std::memcpy(&v, text.data() + i, 8);
    // A byte below 0x20 (exact for bounds up to 0x80), or one with its high bit.
    if ((((v - kOnes * 0x20) & ~v) | v) & kHigh) return true;
    if (has_zero_byte(v ^ (kOnes * '"')) || has_zero_byte(v ^ (kOnes * '\\'))) return true;
  }
  for (; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte >= 0x80 || byte == '"' || byte == '\\') return true;
  }
  return false;
}

bool IsPacked(const FieldPlan& field, const Occurrence& occurrence) {
  return occurrence.data != nullptr && WireTypeOf(field.value) != 2;
}

int64_t SignedValue(WireValue type, uint64_t raw) {
  switch (type) {
    case WireValue::kInt32:
    case WireValue::kSFixed32:
      return static_cast<int32_t>(raw);
    case WireValue::kSInt32: {
      const auto n = static_cast<uint32_t>(raw);
      return static_cast<int32_t>((n >> 1) ^ (~(n & 1) + 1));
    }
    case WireValue::kSInt64:
      return static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
    case WireValue::kUInt32:
    case WireValue::kFixed32:
      return static_cast<uint32_t>(raw);
    default:
      return static_cast<int64_t>(raw);
  }
}

// A scalar as Go's JSON (as the DOM renderer's ScalarFieldToJson prints it).
void AppendScalar(std::string& out, WireValue type, uint64_t raw) {
  switch (type) {
    case WireValue::kUInt64:
    case WireValue::kFixed64:
      AppendJsonUnsigned(out, raw);
      break;
    case WireValue::kBool:
      out += raw != 0 ? "true" : "false";
      break;
    case WireValue::kFloat:
      AppendJsonDouble(out, std::bit_cast<float>(static_cast<uint32_t>(raw)));
      break;
    case WireValue::kDouble:
      AppendJsonDouble(out, std::bit_cast<double>(raw));
      break;
    default:
      AppendJsonInteger(out, SignedValue(type, raw));
  }
}

bool IsZeroScalar(WireValue type, uint64_t raw) {
  switch (type) {
    case WireValue::kFloat:
      return std::bit_cast<float>(static_cast<uint32_t>(raw)) == 0;
    case WireValue::kDouble:
      return std::bit_cast<double>(raw) == 0;
    default:
      return SignedValue(type, raw) == 0;
  }
}

// Go's encoding/json zero values as the DOM renderer tests them (null,
// false, 0, ""), on printed text.
bool IsZeroText(std::string_view text) {
  return text == "null" || text == "false" || text == "0" || text == "\"\"" || text == "0.0" ||
         text == "-0.0";
}

class Writer {
 public:
  // `layout`: compact, or indented starting at its level.
  Writer(TextBuffer& out, Scratch& scratch, JsonLayout layout = {})
      : out_(out), scratch_(scratch), indented_(layout.indented), level_(layout.level) {}

  // What TryReadIdentity reads, once the whole object is known to parse.
  bool Identity(const MessagePlan& plan, std::string_view bytes, ObjectIdentity* identity) {
    if (!Parses(plan, bytes, 0)) return false;
    const Occurrence* meta = Find(plan, bytes, plan.metadata, 0);
    if (meta == nullptr || plan.fields[meta->slot].message == nullptr) return true;
    const MessagePlan& meta_plan = *plan.fields[meta->slot].message;
    const std::string_view meta_bytes = meta->bytes();
    if (const Occurrence* name = Find(meta_plan, meta_bytes, meta_plan.name, 1)) {
      identity->name = std::string(name->bytes());
    }
    const Occurrence* created = Find(meta_plan, meta_bytes, meta_plan.creation_timestamp, 1);
    if (created != nullptr) {
      const std::string_view time_bytes = created->bytes();
      const MessagePlan& time_plan = *meta_plan.fields[created->slot].message;
      TextBuffer text;
      Writer writer(text, scratch_);
      if (!writer.Special(time_plan, time_bytes, 2)) return false;
      const std::string_view time = text.view();
      if (time != "null") identity->creation_timestamp = std::string(time.substr(1, time.size() - 2));
    }
    return true;
  }

  // A top-level object: kind and apiVersion (from the envelope), then its fields.
  bool TopLevelObject(const StorageEnvelope& envelope, const MessagePlan& plan, const ReadView& view) {
    Open('{');
    bool first = true;
    Separate(first);
    out_.Append(indented_ ? "\"kind\": " : "\"kind\":");
    String(envelope.kind);
    Separate(first);
    out_.Append(indented_ ? "\"apiVersion\": " : "\"apiVersion\":");
    String(envelope.api_version);
    if (!Fields(plan, envelope.raw, first, 0, &view, nullptr)) return false;
    Close('}', true);
    return true;
  }

 private:
  // The message's occurrences, sorted by slot (the output order); false
  // for anything the DOM renderer must decide.
  bool Scan(const MessagePlan& plan, std::string_view bytes, Occurrences& found) {
    found.clear();
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    bool sorted = true;
    while (p < end) {
      uint64_t tag;
      if (!ReadVarint(p, end, &tag) || tag > UINT32_MAX) return false;
      const MessagePlan::Slot slot = plan.SlotFor(tag >> 3);
      if (slot.index < 0 || (tag >> 3) == 0) return false;  // unknown: printed with a warning
      const int wire = static_cast<int>(tag & 7);
      const int expected = slot.wire_type;
      Occurrence& occurrence = found.emplace_back();
      occurrence.slot = static_cast<uint32_t>(slot.index);
      if (wire == 2) {
        uint64_t length;
        if (!ReadVarint(p, end, &length) || length > static_cast<uint64_t>(end - p)) return false;
        if (expected != 2 && !slot.repeated) return false;  // packed is for repeated scalars
        occurrence.data = p;
        occurrence.length = static_cast<uint32_t>(length);
        p += length;
      } else if (wire != expected) {
        return false;
      } else if (wire == 0) {
        if (!ReadVarint(p, end, &occurrence.value)) return false;
      } else if (wire == 1 || wire == 5) {
        const int width = wire == 1 ? 8 : 4;
        if (end - p < width) return false;
        occurrence.value = ReadLittleEndian(p, width);
        p += width;
      } else {
        return false;
      }
      if (found.size() > 1 && found[found.size() - 2].slot > occurrence.slot) sorted = false;
    }
    if (!sorted) {
      std::stable_sort(found.begin(), found.end(),
                       [](const Occurrence& a, const Occurrence& b) { return a.slot < b.slot; });
    }
    for (size_t i = 1; i < found.size(); ++i) {
      // A repeated singular field: protobuf keeps the last or merges them.
      if (found[i].slot == found[i - 1].slot && !plan.fields[found[i].slot].repeated) return false;
    }
    return true;
  }

  static bool HasElements(const FieldPlan& field, Span span) {
    for (const Occurrence* o = span.begin; o != span.end; ++o) {
      if (!IsPacked(field, *o) || o->length > 0) return true;
    }
    return false;
  }

  // Laid out as AppendIndentedJson would: a line per member or element,
  // "{}" and "[]" on one.
  void Open(char bracket) {
    out_.Append(bracket);
    ++level_;
  }
  void Close(char bracket, bool any_member) {
    --level_;
    if (indented_ && any_member) LineBreak(false);
    out_.Append(bracket);
  }
  // Before a member or element.
  void Separate(bool& first) {
    if (indented_) {
      LineBreak(!first);
    } else if (!first) {
      out_.Append(',');
    }
    first = false;
  }
  void Colon() { out_.Append(indented_ ? ": " : ":"); }
  // A line break (after a comma) and the indentation, reserved at once.
  void LineBreak(bool comma) {
    const size_t spaces = 4 * static_cast<size_t>(std::max(level_, 0));
    // Whole 16-byte blocks of spaces (slack reserved past the line): a
    // few stores instead of a memset call per line.
    static constexpr char kSpaces[17] = "                ";
    char* cursor = out_.Cursor(spaces + 2 + 16);
    cursor[0] = ',';
    cursor += comma ? 1 : 0;
    cursor[0] = '\n';
    for (size_t done = 0; done < spaces; done += 16) std::memcpy(cursor + 1 + done, kSpaces, 16);
    out_.Advance(spaces + 1 + (comma ? 1 : 0));
  }

  // A JSON string. Most need no escape and are copied with their quotes at
  // once; the others go through AppendJsonString's rules.
  void String(std::string_view text) {
    if (NeedsEscape(text)) {
      ThroughString([&](std::string& escaped) { AppendJsonString(escaped, text); });
      return;
    }
    char* cursor = out_.Cursor(text.size() + 2);
    cursor[0] = '"';
    if (!text.empty()) std::memcpy(cursor + 1, text.data(), text.size());
    cursor[text.size() + 1] = '"';
    out_.Advance(text.size() + 2);
  }
  template <typename Number>
  void Integer(Number value) {
    char* cursor = out_.Cursor(24);
    out_.Advance(static_cast<size_t>(std::to_chars(cursor, cursor + 24, value).ptr - cursor));
  }
  // A scalar as AppendScalar prints it.
  void Scalar(WireValue type, uint64_t raw) {
    switch (type) {
      case WireValue::kUInt64:
      case WireValue::kFixed64:
        Integer(raw);
        break;
      case WireValue::kBool:
        out_.Append(raw != 0 ? "true" : "false");
        break;
      case WireValue::kFloat:
      case WireValue::kDouble:
        ThroughString([&](std::string& text) { AppendScalar(text, type, raw); });
        break;
      default:
        Integer(SignedValue(type, raw));
    }
  }
  // Text that util/json_string.h's helpers write into a std::string.
  template <typename Write>
  void ThroughString(Write write) {
    thread_local std::string text;
    text.clear();
    write(text);
    out_.Append(text);
  }

  void Key(const FieldPlan& field, bool& first) {
    Separate(first);
    const std::string_view key = field.key;
    char* cursor = out_.Cursor(key.size() + 1);
    std::memcpy(cursor, key.data(), key.size());
    cursor[key.size()] = ' ';  // kept when indented
    out_.Advance(key.size() + (indented_ ? 1 : 0));
  }

  // Writes the fields of one message level (no braces). `top`: the read
  // view of a top-level object; `meta`: the view to apply to this ObjectMeta.
  bool Fields(const MessagePlan& plan, std::string_view bytes, bool& first, int depth,
              const ReadView* top, const ReadView* meta) {
    if (depth > kMaxDepth) return false;
    Occurrences& found = scratch_.occurrences[static_cast<size_t>(depth)];
    if (!Scan(plan, bytes, found)) return false;
    const Occurrence* cursor = found.data();
    const Occurrence* const end = found.data() + found.size();
    // The fields present and those written when absent, merged in slot order.
    const uint16_t* absent = plan.written_when_absent.data();
    const uint16_t* const absent_end = absent + plan.written_when_absent.size();
    while (cursor != end || absent != absent_end) {
      const size_t slot = cursor != end && (absent == absent_end || cursor->slot <= *absent) ? cursor->slot : *absent;
      if (absent != absent_end && *absent == slot) ++absent;
      Span span{cursor, cursor};
      while (span.end != end && span.end->slot == slot) ++span.end;
      cursor = span.end;
      const FieldPlan& field = plan.fields[slot];
      const int s = static_cast<int>(slot);
      std::string version;
      bool present = !span.empty();
      const ReadView* child_meta = nullptr;
      if (top != nullptr && s == plan.metadata) {
        child_meta = top;  // the read view makes metadata present
        present = true;
      }
      if (meta != nullptr && s == plan.managed_fields && meta->hide_managed_fields) {
        // Hidden, but protobuf parses them: bytes that would not parse
        // send the object to the DOM renderer for its error.
        for (const Occurrence* o = span.begin; o != span.end; ++o) {
          if (field.message != nullptr && !IsPacked(field, *o) && !Parses(*field.message, o->bytes(), depth + 1)) {
            return false;
          }
        }
        span = {};
        present = false;
      }
      if (meta != nullptr && s == plan.resource_version && meta->mod_revision > 0) {
        version = std::to_string(meta->mod_revision);
        present = true;
      }
      if (!Field(field, span, present, version.empty() ? nullptr : &version, child_meta, first, depth)) {
        return false;
      }
    }
    return true;
  }

  // One field, following its Go tag as the DOM renderer's AddTaggedField
  // does, or the untagged rules.
  bool Field(const FieldPlan& field, Span span, bool present, const std::string* string_override,
             const ReadView* child_meta, bool& first, int depth) {
    const Occurrence* single = span.empty() ? nullptr : span.begin;
    if (!field.tagged) {
      if (field.repeated) {
        if (!HasElements(field, span)) return true;
        Key(field, first);
        return field.map ? Map(field, span, depth) : Array(field, span, depth);
      }
      if (!present) return true;
      const size_t mark = out_.size();
      const bool was_first = first;
      Key(field, first);
      const size_t value_start = out_.size();
      if (!Value(field, single, string_override, child_meta, depth)) return false;
      // Go omits an optional empty string.
      if (field.value == WireValue::kString && out_.view(value_start) == "\"\"") {
        out_.Truncate(mark);
        first = was_first;
      }
      return true;
    }
    if (field.inline_struct) {
      if (field.pointer && !present) return true;
      return Fields(*field.message, single ? single->bytes() : std::string_view(), first, depth + 1,
                    nullptr, child_meta);
    }
    if (field.repeated) {
      if (!HasElements(field, span)) {
        if (!field.omitempty && !field.omitzero) {
          Key(field, first);
          out_.Append("null");  // a nil slice or map
        }
        return true;
      }
      Key(field, first);
      return field.map ? Map(field, span, depth) : Array(field, span, depth);
    }
    // An absent value is its zero, which these tags omit (a struct only
    // under omitzero): nothing to write or take back.
    if (!present && !field.pointer && (field.omitzero || (field.omitempty && field.value != WireValue::kMessage))) {
      return true;
    }
    if (field.pointer && !present) {
      if (!field.omitempty && !field.omitzero) {
        Key(field, first);
        out_.Append("null");
      }
      return true;
    }
    const size_t mark = out_.size();
    const bool was_first = first;
    Key(field, first);
    const size_t value_start = out_.size();
    if (!Value(field, single, string_override, child_meta, depth)) return false;
    const bool message = field.value == WireValue::kMessage;
    bool omit = false;
    if (!field.pointer && (field.omitempty || field.omitzero)) {
      const bool zero_text = IsZeroText(out_.view(value_start));
      // omitempty never drops a struct; omitzero drops one whose fields are all zero.
      if (field.omitempty && !message && zero_text) omit = true;
      if (field.omitzero && zero_text) omit = true;
      if (field.omitzero && !omit && message) {
        int zero = IsZeroMessage(*field.message, single ? single->bytes() : std::string_view(), depth + 1);
        if (zero < 0) return false;
        omit = zero == 1;
      }
    }
    if (omit) {
      out_.Truncate(mark);
      first = was_first;
    }
    return true;
  }

  // One value of `field`; `occurrence` null: its default.
  bool Value(const FieldPlan& field, const Occurrence* occurrence, const std::string* string_override,
             const ReadView* child_meta, int depth) {
    switch (field.value) {
      case WireValue::kMessage:
        return Object(*field.message, occurrence ? occurrence->bytes() : std::string_view(), depth + 1,
                      child_meta);
      case WireValue::kString:
        String(string_override ? std::string_view(*string_override)
               : occurrence  ? occurrence->bytes()
                             : std::string_view());
        return true;
      case WireValue::kBytes:
        String(Base64Encode(occurrence ? occurrence->bytes() : std::string_view()));
        return true;
      default:
        Scalar(field.value, occurrence ? occurrence->value : 0);
        return true;
    }
  }

  bool Array(const FieldPlan& field, Span span, int depth) {
    Open('[');
    bool first = true;
    for (const Occurrence* o = span.begin; o != span.end; ++o) {
      if (!IsPacked(field, *o)) {
        Separate(first);
        if (!Value(field, o, nullptr, nullptr, depth)) return false;
        continue;
      }
      const char* p = o->data;
      const char* end = p + o->length;
      const int wire = WireTypeOf(field.value);
      while (p < end) {
        uint64_t raw;
        if (wire == 0) {
          if (!ReadVarint(p, end, &raw)) return false;
        } else {
          const int width = wire == 1 ? 8 : 4;
          if (end - p < width) return false;
          raw = ReadLittleEndian(p, width);
          p += width;
        }
        Separate(first);
        Scalar(field.value, raw);
      }
    }
    Close(']', !first);
    return true;
  }

  // A map as Go prints it: keys sorted.
  bool Map(const FieldPlan& field, Span span, int depth) {
    const MessagePlan& entry_plan = *field.message;
    const int key_slot = entry_plan.SlotOf(1);
    const int value_slot = entry_plan.SlotOf(2);
    if (key_slot < 0 || value_slot < 0 || depth + 1 > kMaxDepth) return false;
    const FieldPlan& key_field = entry_plan.fields[static_cast<size_t>(key_slot)];
    const FieldPlan& value_field = entry_plan.fields[static_cast<size_t>(value_slot)];
    std::vector<MapEntry>& entries = scratch_.entries[static_cast<size_t>(depth)];
    entries.clear();
    Occurrences& found = scratch_.occurrences[static_cast<size_t>(depth + 1)];
    for (const Occurrence* o = span.begin; o != span.end; ++o) {
      if (!Scan(entry_plan, o->bytes(), found)) return false;
      MapEntry& entry = entries.emplace_back();
      const Occurrence* key = nullptr;
      for (const Occurrence& part : found) {
        if (static_cast<int>(part.slot) == key_slot) key = &part;
        if (static_cast<int>(part.slot) == value_slot) {
          entry.value = part;
          entry.has_value = true;
        }
      }
      if (key_field.value == WireValue::kString) {
        entry.key = key ? key->bytes() : std::string_view();
      } else if (key_field.value == WireValue::kMessage || key_field.value == WireValue::kBytes) {
        return false;
      } else {
        entry.owned_key.clear();
        AppendScalar(entry.owned_key, key_field.value, key ? key->value : 0);
      }
    }
    for (MapEntry& entry : entries) {
      if (!entry.owned_key.empty()) entry.key = entry.owned_key;
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const MapEntry& a, const MapEntry& b) { return a.key < b.key; });
    Open('{');
    bool first = true;
    for (size_t i = 0; i < entries.size(); ++i) {
      // Protobuf keeps one value of a repeated key; the DOM renderer decides which.
      if (i > 0 && entries[i].key == entries[i - 1].key) return false;
      Separate(first);
      String(entries[i].key);
      Colon();
      if (!Value(value_field, entries[i].has_value ? &entries[i].value : nullptr, nullptr, nullptr,
                 depth + 1)) {
        return false;
      }
    }
    Close('}', !first);
    return true;
  }

  // A message value: an object, or a special type's own form.
  bool Object(const MessagePlan& plan, std::string_view bytes, int depth, const ReadView* meta) {
    if (depth > kMaxDepth) return false;
    if (plan.special != SpecialType::kNone) return Special(plan, bytes, depth);
    Open('{');
    bool first = true;
    if (!Fields(plan, bytes, first, depth, nullptr, meta)) return false;
    Close('}', !first);
    return true;
  }

  bool Special(const MessagePlan& plan, std::string_view bytes, int depth) {
    Occurrences& found = scratch_.occurrences[static_cast<size_t>(depth)];
    if (!Scan(plan, bytes, found)) return false;
    auto find = [&](int slot) -> const Occurrence* {
      for (const Occurrence& o : found) {
        if (static_cast<int>(o.slot) == slot) return &o;
      }
      return nullptr;
    };
    auto integer = [&](int slot) -> int64_t {
      const Occurrence* o = find(slot);
      return o ? SignedValue(plan.fields[static_cast<size_t>(slot)].value, o->value) : 0;
    };
    auto text = [&](int slot) -> std::string_view {
      const Occurrence* o = find(slot);
      return o ? o->bytes() : std::string_view();
    };
    switch (plan.special) {
      case SpecialType::kTime:
      case SpecialType::kMicroTime:
        // Go writes a zero time as an empty message: null.
        if (!find(plan.seconds) && !find(plan.nanos)) {
          out_.Append("null");
        } else if (plan.special == SpecialType::kMicroTime) {
          String(Rfc3339MicroUtc(integer(plan.seconds), static_cast<int32_t>(integer(plan.nanos))));
        } else {
          String(Rfc3339Utc(integer(plan.seconds)));
        }
        return true;
      case SpecialType::kDuration:
        String(GoDurationString(integer(plan.duration)));
        return true;
      case SpecialType::kIntOrString:
        if (integer(plan.int_or_string_type) == 1) {
          String(text(plan.string_value));
        } else {
          Integer(static_cast<int32_t>(integer(plan.int_value)));
        }
        return true;
      case SpecialType::kQuantity:
        String(text(plan.quantity));
        return true;
      case SpecialType::kInlineJson: {
        const std::string_view raw = plan.raw >= 0 ? text(plan.raw) : std::string_view();
        if (raw.empty()) {
          out_.Append("null");
          return true;
        }
        auto parsed = nlohmann::ordered_json::parse(raw, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded()) {
          String(Base64Encode(raw));  // not JSON (e.g. CBOR): the bytes
        } else {
          ThroughString([&](std::string& text) { AppendJsonInLayout(text, JsonText(parsed), {indented_, level_}); });
        }
        return true;
      }
      case SpecialType::kSliceWrapper: {
        const FieldPlan& items = plan.fields.front();
        const Span span{found.data(), found.data() + found.size()};
        return Array(items, span, depth);
      }
      case SpecialType::kNone:
        break;
    }
    return false;
  }

  // The occurrence of singular field `slot` in a message that parses.
  const Occurrence* Find(const MessagePlan& plan, std::string_view bytes, int slot, int depth) {
    if (slot < 0) return nullptr;
    Occurrences& found = scratch_.occurrences[static_cast<size_t>(depth)];
    if (!Scan(plan, bytes, found)) return nullptr;
    for (const Occurrence& o : found) {
      if (static_cast<int>(o.slot) == slot) return &o;
    }
    return nullptr;
  }

  // Whether the message scans, nested messages included.
  bool Parses(const MessagePlan& plan, std::string_view bytes, int depth) {
    if (depth > kMaxDepth) return false;
    Occurrences& found = scratch_.occurrences[static_cast<size_t>(depth)];
    if (!Scan(plan, bytes, found)) return false;
    for (const Occurrence& o : found) {
      const FieldPlan& field = plan.fields[o.slot];
      if (field.message != nullptr && !Parses(*field.message, o.bytes(), depth + 1)) return false;
    }
    return true;
  }

  // 1 when no field of the message is set to anything but its zero (Go's
  // IsZero of a struct), 0 when one is, -1 when the bytes do not scan.
  int IsZeroMessage(const MessagePlan& plan, std::string_view bytes, int depth) {
    if (depth > kMaxDepth) return -1;
    Occurrences& found = scratch_.occurrences[static_cast<size_t>(depth)];
    if (!Scan(plan, bytes, found)) return -1;
    for (size_t i = 0; i < found.size(); ++i) {
      const Occurrence o = found[i];  // a copy: the recursion below reuses deeper buffers only
      const FieldPlan& field = plan.fields[o.slot];
      if (field.repeated) {
        if (HasElements(field, {&found[i], &found[i] + 1})) return 0;
      } else if (field.value == WireValue::kMessage) {
        const int zero = IsZeroMessage(*field.message, o.bytes(), depth + 1);
        if (zero != 1) return zero;
      } else if (field.value == WireValue::kString || field.value == WireValue::kBytes) {
        if (o.length > 0) return 0;
      } else if (!IsZeroScalar(field.value, o.value)) {
        return 0;
      }
    }
    return 1;
  }

  TextBuffer& out_;
  Scratch& scratch_;
  const bool indented_;
  int level_;  // of the brackets open, from the layout's level
};

}  // namespace

const MessagePlan* StreamRenderer::PlanFor(const StorageEnvelope& envelope) const {
  const google::protobuf::Descriptor* type = schema_.FindKind(envelope.api_version, envelope.kind);
  if (type == nullptr) return nullptr;
  const MessagePlan* plan = plans_.For(*type, schema_.TagsFor(*type));
  if (!plan->streamable || plan->special != SpecialType::kNone || plan->has_type_meta_keys) return nullptr;
  return plan;
}

bool StreamRenderer::TryReadIdentity(std::string_view value, ObjectIdentity* identity) const {
  if (DetectStorageEncoding(value) != StorageEncoding::kProtobuf) return false;
  auto envelope = ParseStorageEnvelope(value);
  if (!envelope.ok()) return false;
  const MessagePlan* plan = PlanFor(*envelope);
  if (plan == nullptr) return false;
  thread_local Scratch scratch;
  TextBuffer unused;
  *identity = {};
  return Writer(unused, scratch).Identity(*plan, envelope->raw, identity);
}

bool StreamRenderer::TryAppendJson(std::string_view value, const ReadView& view, std::string* out,
                                   JsonLayout layout) const {
  if (DetectStorageEncoding(value) != StorageEncoding::kProtobuf) return false;
  auto envelope = ParseStorageEnvelope(value);
  if (!envelope.ok()) return false;
  const MessagePlan* plan = PlanFor(*envelope);
  if (plan == nullptr) return false;
  thread_local Scratch scratch;
  const bool converted = view.read_conversions && HasReadConversions(envelope->api_version, envelope->kind);
  // Appends the object to `text` in `text_layout`, or leaves `text` as it was.
  auto write = [&](std::string& text, JsonLayout text_layout) {
    thread_local TextBuffer buffer;
    buffer.Clear();
    if (!Writer(buffer, scratch, text_layout).TopLevelObject(*envelope, *plan, view)) return false;
    const size_t mark = text.size();
    text.append(buffer.view());
    if (converted && !ApplyReadConversionsToText(envelope->api_version, envelope->kind, text, mark)) {
      text.resize(mark);
      return false;
    }
    return true;
  };
  if (!converted || !layout.indented) return write(*out, layout);
  // Read conversions edit compact text: such objects are indented after.
  thread_local std::string compact;
  compact.clear();
  if (!write(compact, {})) return false;
  AppendIndentedJson(*out, compact, layout.level);
  return true;
}

Status StreamRenderer::AppendJson(std::string_view value, const ReadView& view, std::string* out,
                                  std::vector<std::string>* warnings, JsonLayout layout) const {
  if (TryAppendJson(value, view, out, layout)) return Status::Ok();
  auto rendered = RenderStoredValue(schema_, value, view);
  if (!rendered.ok()) return rendered.status();
  AppendJsonInLayout(*out, JsonText(rendered->object), layout);
  for (auto& warning : rendered->warnings) warnings->push_back(std::move(warning));
  return Status::Ok();
}

}  // namespace ketcd::k8s
