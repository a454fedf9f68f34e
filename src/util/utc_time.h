// UTC timestamps as ketcd writes them: RFC 3339 as the Kubernetes API
// prints metav1.Time ("2026-11-25T21:00:00Z") and MicroTime (6 fractional
// digits), the compact form used in file names and S3 request dates
// ("20261125T210000Z"), and HTTP dates ("Wed, 25 Nov 2026 21:00:00 GMT").
#pragma once

#include <cstdint>
#include <string>

namespace ketcd {

std::string Rfc3339Utc(int64_t seconds);
std::string Rfc3339MicroUtc(int64_t seconds, int32_t nanos);
// A Unix time in milliseconds with 3 fractional digits (backup times:
// "2026-12-03T14:32:05.250Z").
std::string Rfc3339MillisUtc(int64_t unix_millis);
std::string CompactUtc(int64_t seconds);
std::string HttpDateUtc(int64_t seconds);

}  // namespace ketcd
