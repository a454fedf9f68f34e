#include "support/peers.h"

#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace ketcd::testing {

std::string PeerBinary(const std::string& peer, const std::string& binary) {
  return std::string(KETCD_PEERS_DIR) + "/" + peer + "/" + binary;
}

std::string MissingExecutable(const std::string& path, const std::string& what) {
  if (access(path.c_str(), X_OK) == 0) return "";
  return what + " is not built: scripts/install-peers builds it (needs Go and the Go module registry)";
}

std::string MissingPeer(const std::string& peer, const std::string& binary) {
  return MissingExecutable(PeerBinary(peer, binary), "peer " + peer + " (" + binary + ")");
}

std::string PinnedPeerVersion(const std::string& peer) {
  std::string wrapper = std::string(KETCD_PEERS_SOURCE_DIR) + "/" + peer;
  std::ifstream conf(wrapper + "/peer.conf");
  std::string line, module;
  while (std::getline(conf, line)) {
    if (line.rfind("module=", 0) == 0) module = line.substr(7);
  }
  if (module.empty()) return "";
  std::ifstream go_mod(wrapper + "/go.mod");
  std::stringstream text;
  text << go_mod.rdbuf();
  // A require line: "<module> v<version>", the module path taken literally.
  std::string quoted = std::regex_replace(module, std::regex(R"([.])"), R"(\.)");
  std::smatch match;
  std::string content = text.str();
  if (!std::regex_search(content, match, std::regex("\\s" + quoted + " v([0-9][^\\s]*)"))) return "";
  return match[1];
}

}  // namespace ketcd::testing
