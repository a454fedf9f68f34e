#include "util/private_dir.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

namespace ketcd {

PrivateDir::PrivateDir(const std::string& parent) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = (!parent.empty() ? parent : tmp && *tmp ? std::string(tmp) : std::string("/tmp")) +
                        "/ketcd-XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

PrivateDir::~PrivateDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

}  // namespace ketcd
