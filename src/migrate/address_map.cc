#include "migrate/address_map.h"

namespace ketcd::migrate {

Result<AddressMap> AddressMap::Create(const std::vector<Cidr>& from, const std::vector<Cidr>& to) {
  if (from.empty() || from.size() != to.size()) {
    return InvalidArgument("give as many --to ranges as --from ranges (one per IP family)");
  }
  AddressMap map;
  for (size_t i = 0; i < from.size(); ++i) {
    auto mapping = CidrMapping::Create(from[i], to[i]);
    if (!mapping.ok()) return mapping.status();
    if (map.ForFamily(from[i].base.v6) != nullptr) {
      return InvalidArgument("two --from ranges of the same IP family (" + FormatCidr(from[i]) + ")");
    }
    map.mappings_.push_back(*mapping);
  }
  return map;
}

const CidrMapping* AddressMap::ForFamily(bool v6) const {
  for (const auto& mapping : mappings_) {
    if (mapping.from().base.v6 == v6) return &mapping;
  }
  return nullptr;
}

Result<std::optional<std::string>> AddressMap::MapAddress(std::string_view text) const {
  auto address = ParseIp(text);
  if (!address.ok()) return std::optional<std::string>();
  const CidrMapping* mapping = ForFamily(address->v6);
  if (mapping == nullptr || mapping->to().Contains(*address)) return std::optional<std::string>();
  if (!mapping->from().Contains(*address)) {
    return InvalidArgument(std::string(text) + " is outside --from " + FormatCidr(mapping->from()) +
                           " (and not in --to " + FormatCidr(mapping->to()) + ")");
  }
  auto mapped = mapping->Map(*address);
  if (!mapped.ok()) return mapped.status();
  return std::optional<std::string>(FormatIp(*mapped));
}

Result<std::optional<std::string>> AddressMap::MapCidr(std::string_view text) const {
  auto cidr = ParseCidr(text);
  if (!cidr.ok()) return std::optional<std::string>();
  const CidrMapping* mapping = ForFamily(cidr->base.v6);
  if (mapping == nullptr) return std::optional<std::string>();
  if (mapping->to().Contains(cidr->base) && cidr->prefix >= mapping->to().prefix) {
    return std::optional<std::string>();
  }
  if (*cidr == mapping->from()) return std::optional<std::string>(FormatCidr(mapping->to()));
  if (!mapping->from().Contains(cidr->base) || cidr->prefix < mapping->from().prefix) {
    return InvalidArgument(std::string(text) + " is not inside --from " + FormatCidr(mapping->from()) +
                           " (nor --to " + FormatCidr(mapping->to()) + ")");
  }
  auto mapped = mapping->MapSubnet(*cidr);
  if (!mapped.ok()) return mapped.status();
  return std::optional<std::string>(FormatCidr(*mapped));
}

Result<std::optional<std::string>> AddressMap::MapToken(std::string_view text) const {
  return text.find('/') == std::string_view::npos ? MapAddress(text) : MapCidr(text);
}

}  // namespace ketcd::migrate
