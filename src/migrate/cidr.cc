#include "migrate/cidr.h"

#include "util/string_building.h"

#include <arpa/inet.h>

#include <cstdio>

namespace ketcd::migrate {
namespace {

// Bit `bit` of the address, 0 being the most significant.
bool BitSet(const IpAddress& address, int bit) {
  return (address.bytes[bit / 8] >> (7 - bit % 8)) & 1;
}

void SetBit(IpAddress& address, int bit, bool value) {
  const uint8_t mask = static_cast<uint8_t>(1u << (7 - bit % 8));
  address.bytes[bit / 8] = value ? (address.bytes[bit / 8] | mask) : (address.bytes[bit / 8] & ~mask);
}

bool HostBitsZero(const IpAddress& address, int prefix) {
  for (int bit = prefix; bit < address.bits(); ++bit) {
    if (BitSet(address, bit)) return false;
  }
  return true;
}

}  // namespace

Result<IpAddress> ParseIp(std::string_view text) {
  const std::string copy(text);
  IpAddress address;
  if (copy.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) return address;
  } else if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) {
    address.v6 = true;
    return address;
  }
  return InvalidArgument(Quoted(copy) + " is not an IP address");
}

std::string FormatIp(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN];
  // glibc's inet_ntop follows RFC 5952 (lower case, longest zero run
  // compressed, a single zero group kept), as Go's net.IP.String().
  inet_ntop(address.v6 ? AF_INET6 : AF_INET, address.bytes.data(), text, sizeof text);
  return text;
}

bool Cidr::Contains(const IpAddress& address) const {
  if (address.v6 != base.v6) return false;
  for (int bit = 0; bit < prefix; ++bit) {
    if (BitSet(address, bit) != BitSet(base, bit)) return false;
  }
  return true;
}

Result<Cidr> ParseCidr(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return InvalidArgument(Quoted(text) + " is not a CIDR (address/bits)");
  auto base = ParseIp(text.substr(0, slash));
  if (!base.ok()) return InvalidArgument(Quoted(text) + ": " + base.status().message());
  const std::string bits(text.substr(slash + 1));
  if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(bits) > base->bits()) {
    return InvalidArgument(Quoted(text) + ": bad prefix length");
  }
  Cidr cidr{*base, std::stoi(bits)};
  if (!HostBitsZero(cidr.base, cidr.prefix)) {
    return InvalidArgument(Quoted(text) + " has host bits set (did you mean a network address?)");
  }
  return cidr;
}

std::string FormatCidr(const Cidr& cidr) { return FormatIp(cidr.base) + "/" + std::to_string(cidr.prefix); }

bool Overlaps(const Cidr& a, const Cidr& b) {
  return a.base.v6 == b.base.v6 && (a.Contains(b.base) || b.Contains(a.base));
}

Result<CidrMapping> CidrMapping::Create(const Cidr& from, const Cidr& to) {
  if (from.base.v6 != to.base.v6) {
    return InvalidArgument(FormatCidr(from) + " and " + FormatCidr(to) + " are of different IP families");
  }
  if (Overlaps(from, to)) {
    return InvalidArgument(FormatCidr(from) + " and " + FormatCidr(to) + " overlap");
  }
  return CidrMapping(from, to);
}

Result<IpAddress> CidrMapping::Map(const IpAddress& address) const {
  if (!from_.Contains(address)) {
    return InvalidArgument(FormatIp(address) + " is outside " + FormatCidr(from_));
  }
  // The offset's bits above the target's size must be zero.
  for (int bit = from_.prefix; bit < to_.prefix; ++bit) {
    if (BitSet(address, bit)) {
      return InvalidArgument(FormatIp(address) + ": its offset in " + FormatCidr(from_) +
                             " does not fit in " + FormatCidr(to_));
    }
  }
  IpAddress mapped = to_.base;
  for (int bit = std::max(from_.prefix, to_.prefix); bit < address.bits(); ++bit) {
    SetBit(mapped, bit, BitSet(address, bit));
  }
  return mapped;
}

Result<Cidr> CidrMapping::MapSubnet(const Cidr& subnet) const {
  if (subnet.prefix < from_.prefix || !from_.Contains(subnet.base)) {
    return InvalidArgument(FormatCidr(subnet) + " is not inside " + FormatCidr(from_));
  }
  if (subnet.prefix < to_.prefix) {
    return InvalidArgument(FormatCidr(subnet) + " is larger than " + FormatCidr(to_));
  }
  auto base = Map(subnet.base);
  if (!base.ok()) return base.status();
  return Cidr{*base, subnet.prefix};
}

}  // namespace ketcd::migrate
