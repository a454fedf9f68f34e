// Standard base64 (RFC 4648, with padding), as Go's encoding/json prints
// []byte and etcdctl prints keys and values.
#pragma once

#include <string>
#include <string_view>

namespace ketcd {

std::string Base64Encode(std::string_view bytes);
// Returns false on characters outside the alphabet or a bad length.
bool Base64Decode(std::string_view text, std::string* bytes);

}  // namespace ketcd
