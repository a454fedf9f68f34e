// The Service IP allocator's state at /registry/ranges/serviceips (and
// secondaryserviceips): core/v1 RangeAllocation{metadata 1, range 2,
// data 3}. `data` is Go's big.Int.Bytes() of the allocation bitmap: big
// endian, no leading zero bytes; bit k is offset k, and offset 0 is the
// address after the network address (../shared/notes/k8s-storage.md 3.5).
#pragma once

#include <string>
#include <vector>

#include "migrate/cidr.h"

namespace ketcd::migrate {

inline constexpr int kRangeAllocationRange = 2;
inline constexpr int kRangeAllocationData = 3;

// The bitmap with the given addresses allocated. Addresses outside the
// range, the network address and, for IPv4, the broadcast address, and IPv6
// offsets past the allocator's 65536 cap are not representable and left out.
std::string AllocationBitmap(const Cidr& range, const std::vector<IpAddress>& allocated);

}  // namespace ketcd::migrate
