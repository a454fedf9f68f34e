#include "util/read_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ketcd {

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": " + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return IoError(path + ": read failed");
  return buffer.str();
}

Result<std::string> ReadPrivateFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return InvalidArgument(path + ": " + std::strerror(errno));
  if (info.st_mode & 077) return InvalidArgument(path + ": readable by others; chmod 600 it");
  auto text = ReadWholeFile(path);
  if (!text.ok()) return InvalidArgument(text.status().message());
  return text;
}

}  // namespace ketcd
