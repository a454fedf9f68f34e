#include "migrate/range_allocation.h"

#include <algorithm>
#include <optional>

namespace ketcd::migrate {
namespace {

// The ipallocator's offset of `address`, or nullopt when not representable.
std::optional<uint64_t> AllocatorOffset(const Cidr& range, const IpAddress& address) {
  if (!range.Contains(address)) return std::nullopt;
  const int host_bits = range.host_bits();
  // Size of the bitmap: IPv4 drops the network and broadcast addresses;
  // IPv6 only the network address, with at most 65536 addresses in all.
  const uint64_t size = range.base.v6 ? (host_bits >= 16 ? 65536 : (uint64_t{1} << host_bits)) - 1
                        : host_bits >= 2 ? (uint64_t{1} << host_bits) - 2
                                         : 0;
  // The host part of the address; bits above 63 would be past any cap.
  uint64_t host = 0;
  for (int bit = address.bits() - std::min(host_bits, 64); bit < address.bits(); ++bit) {
    host = host << 1 | ((address.bytes[bit / 8] >> (7 - bit % 8)) & 1);
  }
  for (int bit = range.prefix; bit < address.bits() - 64; ++bit) {
    if ((address.bytes[bit / 8] >> (7 - bit % 8)) & 1) return std::nullopt;
  }
  if (host == 0 || host - 1 >= size) return std::nullopt;
  return host - 1;
}

}  // namespace

std::string AllocationBitmap(const Cidr& range, const std::vector<IpAddress>& allocated) {
  std::vector<uint64_t> offsets;
  for (const IpAddress& address : allocated) {
    if (auto offset = AllocatorOffset(range, address)) offsets.push_back(*offset);
  }
  if (offsets.empty()) return {};
  const uint64_t highest = *std::max_element(offsets.begin(), offsets.end());
  std::string bitmap(highest / 8 + 1, '\0');
  for (uint64_t offset : offsets) {
    bitmap[bitmap.size() - 1 - offset / 8] |= static_cast<char>(1u << (offset % 8));
  }
  return bitmap;
}

}  // namespace ketcd::migrate
