// IP addresses and CIDR ranges, and the mapping a CIDR migration applies:
// every address keeps its offset inside the range ("10.96.0.10" in
// 10.96.0.0/12 becomes "172.24.0.10" in 172.24.0.0/16), for any prefix
// lengths, IPv4 and IPv6. Text is formatted as Go's net.IP.String() does
// (RFC 5952 for IPv6), the form Kubernetes stores.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace ketcd::migrate {

struct IpAddress {
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4
  bool v6 = false;

  int bits() const { return v6 ? 128 : 32; }
  bool operator==(const IpAddress&) const = default;
};

Result<IpAddress> ParseIp(std::string_view text);
std::string FormatIp(const IpAddress& address);

struct Cidr {
  IpAddress base;  // host bits zero
  int prefix = 0;

  bool Contains(const IpAddress& address) const;
  // log2 of the number of addresses.
  int host_bits() const { return base.bits() - prefix; }
  bool operator==(const Cidr&) const = default;
};

// "10.96.0.0/12"; host bits set are refused (a typo the operator must see).
Result<Cidr> ParseCidr(std::string_view text);
std::string FormatCidr(const Cidr& cidr);
bool Overlaps(const Cidr& a, const Cidr& b);

// from -> to, keeping offsets.
class CidrMapping {
 public:
  static Result<CidrMapping> Create(const Cidr& from, const Cidr& to);

  const Cidr& from() const { return from_; }
  const Cidr& to() const { return to_; }
  // kInvalidArgument when `address` is outside `from` or its offset does
  // not fit in `to`.
  Result<IpAddress> Map(const IpAddress& address) const;
  // A subnet of `from` (a node's pod CIDR) to the same subnet of `to`.
  Result<Cidr> MapSubnet(const Cidr& subnet) const;

 private:
  CidrMapping(Cidr from, Cidr to) : from_(from), to_(to) {}
  Cidr from_, to_;
};

}  // namespace ketcd::migrate
