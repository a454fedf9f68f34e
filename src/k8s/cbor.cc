#include "k8s/cbor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <vector>

namespace ketcd::k8s {
namespace {

constexpr char kSelfDescribedTag[] = "\xd9\xd9\xf7";
constexpr int kMaxDepth = 256;

double HalfToDouble(uint16_t half) {
  const int exponent = (half >> 10) & 0x1f;
  const int mantissa = half & 0x3ff;
  double value;
  if (exponent == 0) {
    value = std::ldexp(mantissa, -24);
  } else if (exponent != 31) {
    value = std::ldexp(mantissa + 1024, exponent - 25);
  } else {
    value = mantissa == 0 ? INFINITY : NAN;
  }
  return (half & 0x8000) ? -value : value;
}

class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : bytes_(bytes) {}

  Result<Json> Value(int depth) {
    if (depth > kMaxDepth) return DataLoss("CBOR nested deeper than " + std::to_string(kMaxDepth));
    uint8_t initial;
    if (!Byte(&initial)) return Truncated();
    const int major = initial >> 5;
    const int info = initial & 0x1f;
    if (major == 7) return Simple(info);
    if (info == 31) {
      if (major == 2 || major == 3) return IndefiniteString();
      if (major == 4 || major == 5) return Container(major, -1, depth);
      return DataLoss("CBOR: indefinite length on major type " + std::to_string(major));
    }
    uint64_t argument;
    if (!Argument(info, &argument)) return DataLoss("CBOR: bad or truncated length");
    switch (major) {
      case 0:
        return Json(argument);
      case 1:
        if (argument > static_cast<uint64_t>(INT64_MAX)) return DataLoss("CBOR: negative integer out of range");
        return Json(-1 - static_cast<int64_t>(argument));
      case 2:
      case 3: {
        if (argument > bytes_.size() - position_) return Truncated();
        std::string text(bytes_.substr(position_, argument));
        position_ += argument;
        return Json(std::move(text));
      }
      case 4:
      case 5:
        return Container(major, static_cast<int64_t>(std::min<uint64_t>(argument, INT64_MAX)), depth);
      case 6:  // a tag: its content stands for itself (55799 self-described)
        return Value(depth + 1);
    }
    return DataLoss("CBOR: unknown major type");
  }

  bool AtEnd() const { return position_ == bytes_.size(); }

 private:
  static Status Truncated() { return DataLoss("CBOR value ends early"); }

  bool Byte(uint8_t* out) {
    if (position_ >= bytes_.size()) return false;
    *out = static_cast<uint8_t>(bytes_[position_++]);
    return true;
  }

  bool Argument(int info, uint64_t* out) {
    if (info < 24) {
      *out = static_cast<uint64_t>(info);
      return true;
    }
    if (info > 27) return false;
    const size_t size = size_t{1} << (info - 24);
    if (size > bytes_.size() - position_) return false;
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i) value = (value << 8) | static_cast<uint8_t>(bytes_[position_ + i]);
    position_ += size;
    *out = value;
    return true;
  }

  Result<Json> Simple(int info) {
    switch (info) {
      case 20:
        return Json(false);
      case 21:
        return Json(true);
      case 22:
      case 23:
        return Json(nullptr);
      case 25:
      case 26:
      case 27: {
        uint64_t bits;
        if (!Argument(info, &bits)) return Truncated();
        double value;
        if (info == 25) {
          value = HalfToDouble(static_cast<uint16_t>(bits));
        } else if (info == 26) {
          float single;
          const uint32_t narrow = static_cast<uint32_t>(bits);
          std::memcpy(&single, &narrow, sizeof single);
          value = single;
        } else {
          std::memcpy(&value, &bits, sizeof value);
        }
        if (!std::isfinite(value)) return DataLoss("CBOR: NaN or infinity has no JSON form");
        return Json(value);
      }
    }
    return DataLoss("CBOR: unsupported simple value " + std::to_string(info));
  }

  Result<Json> IndefiniteString() {
    std::string text;
    for (;;) {
      uint8_t initial;
      if (!Byte(&initial)) return Truncated();
      if (initial == 0xff) return Json(std::move(text));
      uint64_t length;
      if ((initial >> 5) != 2 && (initial >> 5) != 3) return DataLoss("CBOR: bad indefinite string chunk");
      if (!Argument(initial & 0x1f, &length) || length > bytes_.size() - position_) return Truncated();
      text.append(bytes_.substr(position_, length));
      position_ += length;
    }
  }

  // An array (major 4) or map (5) of `count` items, -1: up to a break.
  Result<Json> Container(int major, int64_t count, int depth) {
    std::vector<Json> items;
    std::map<std::string, Json> entries;  // sorted, as Go prints a map
    for (int64_t i = 0; count < 0 || i < count; ++i) {
      if (count < 0 && position_ < bytes_.size() && static_cast<uint8_t>(bytes_[position_]) == 0xff) {
        ++position_;
        break;
      }
      if (position_ >= bytes_.size()) return Truncated();
      auto first = Value(depth + 1);
      if (!first.ok()) return first.status();
      if (major == 4) {
        items.push_back(std::move(*first));
        continue;
      }
      if (!first->is_string()) return DataLoss("CBOR: a map key that is not a string");
      auto second = Value(depth + 1);
      if (!second.ok()) return second.status();
      entries[first->get<std::string>()] = std::move(*second);
    }
    if (major == 4) return Json(std::move(items));
    Json object = Json::object();
    for (auto& [key, value] : entries) object[key] = std::move(value);
    return object;
  }

  std::string_view bytes_;
  size_t position_ = 0;
};

void Head(int major, uint64_t argument, std::string& out) {
  const auto type = static_cast<char>(major << 5);
  if (argument < 24) {
    out += static_cast<char>(type | static_cast<char>(argument));
    return;
  }
  int size = argument <= 0xff ? 1 : argument <= 0xffff ? 2 : argument <= 0xffffffffULL ? 4 : 8;
  out += static_cast<char>(type | static_cast<char>(24 + (size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3)));
  for (int i = size - 1; i >= 0; --i) out += static_cast<char>((argument >> (8 * i)) & 0xff);
}

// The shortest float that holds `value` exactly: half, single or double.
void Float(double value, std::string& out) {
  const float single = static_cast<float>(value);
  if (static_cast<double>(single) == value) {
    uint32_t bits;
    std::memcpy(&bits, &single, sizeof bits);
    const uint32_t sign = (bits >> 16) & 0x8000;
    const int exponent = static_cast<int>((bits >> 23) & 0xff) - 127;
    const uint32_t mantissa = bits & 0x7fffff;
    if (value == 0) {
      out += "\xf9";
      out += static_cast<char>(sign >> 8);
      out += '\0';
      return;
    }
    // Normal halves: exponent -14..15 with the low 13 mantissa bits zero;
    // subnormal halves: exponent -24..-15 with the bits shifted out zero.
    if (exponent >= -14 && exponent <= 15 && (mantissa & 0x1fff) == 0) {
      const uint32_t half = sign | static_cast<uint32_t>(exponent + 15) << 10 | (mantissa >> 13);
      out += "\xf9";
      out += static_cast<char>(half >> 8);
      out += static_cast<char>(half & 0xff);
      return;
    }
    if (exponent >= -24 && exponent < -14) {
      const uint32_t full = mantissa | 0x800000;
      const int shift = 13 + (-14 - exponent);
      if ((full & ((1u << shift) - 1)) == 0) {
        const uint32_t half = sign | (full >> shift);
        out += "\xf9";
        out += static_cast<char>(half >> 8);
        out += static_cast<char>(half & 0xff);
        return;
      }
    }
    out += "\xfa";
    for (int i = 3; i >= 0; --i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
    return;
  }
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  out += "\xfb";
  for (int i = 7; i >= 0; --i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
}

void Encode(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      out += "\xf6";
      return;
    case Json::value_t::boolean:
      out += value.get<bool>() ? "\xf5" : "\xf4";
      return;
    case Json::value_t::number_unsigned:
      Head(0, value.get<uint64_t>(), out);
      return;
    case Json::value_t::number_integer: {
      const int64_t number = value.get<int64_t>();
      if (number >= 0) {
        Head(0, static_cast<uint64_t>(number), out);
      } else {
        Head(1, static_cast<uint64_t>(-1 - number), out);
      }
      return;
    }
    case Json::value_t::number_float:
      Float(value.get<double>(), out);
      return;
    case Json::value_t::string:
    case Json::value_t::binary: {
      const std::string& text = value.get_ref<const std::string&>();
      Head(2, text.size(), out);  // Kubernetes writes strings as byte strings
      out += text;
      return;
    }
    case Json::value_t::array:
      Head(4, value.size(), out);
      for (const Json& item : value) Encode(item, out);
      return;
    case Json::value_t::object: {
      // Entries sorted bytewise by their encoded keys.
      std::vector<std::pair<std::string, const Json*>> entries;
      for (const auto& [key, item] : value.items()) {
        std::string encoded_key;
        Head(2, key.size(), encoded_key);
        encoded_key += key;
        entries.emplace_back(std::move(encoded_key), &item);
      }
      std::sort(entries.begin(), entries.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      Head(5, entries.size(), out);
      for (const auto& [key, item] : entries) {
        out += key;
        Encode(*item, out);
      }
      return;
    }
  }
}

}  // namespace

Result<Json> CborToJson(std::string_view bytes) {
  Decoder decoder(bytes);
  auto value = decoder.Value(0);
  if (!value.ok()) return value.status();
  if (!decoder.AtEnd()) return DataLoss("CBOR: bytes after the value");
  return value;
}

std::string JsonToCbor(const Json& value) {
  std::string out = kSelfDescribedTag;
  Encode(value, out);
  return out;
}

}  // namespace ketcd::k8s
