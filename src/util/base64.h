// Standard base64 (RFC 4648, with padding), as Go's encoding/json prints
// []byte and etcdctl prints keys and values.
#pragma once

#include <string>
#include <string_view>

namespace ketcd {

std::string Base64Encode(std::string_view bytes);

}  // namespace ketcd
