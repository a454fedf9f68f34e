// The peers the tests run ketcd against, built by scripts/install-peers from
// the wrapper modules in tests/peers/NAME/ (etcd-3.6, etcd-3.7,
// kubernetes-1.37) into a cache that build/peers/NAME points at.
//
// A peer that is not built (no Go, no module registry) makes the tests that
// need it skip with one line naming it: use KETCD_SKIP_UNLESS(MissingPeer(...)).
#pragma once

#include <string>

namespace ketcd::testing {

// build/peers/PEER/BINARY, whether or not it exists.
std::string PeerBinary(const std::string& peer, const std::string& binary);

// Empty when `path` is an executable file; else one line saying that `what`
// is missing and how to get it.
std::string MissingExecutable(const std::string& path, const std::string& what);

// MissingExecutable of PeerBinary(peer, binary).
std::string MissingPeer(const std::string& peer, const std::string& binary);

// The release tests/peers/PEER pins ("3.6.16"): the version its go.mod
// requires of the module its peer.conf names. Empty when unreadable.
std::string PinnedPeerVersion(const std::string& peer);

}  // namespace ketcd::testing

// Skips the current test with `why` unless it is empty.
#define KETCD_SKIP_UNLESS(why_expression)                      \
  do {                                                         \
    if (std::string why = (why_expression); !why.empty()) {    \
      GTEST_SKIP() << why;                                     \
    }                                                          \
  } while (false)
