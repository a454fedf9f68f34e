#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "backup/destination.h"
#include "backup/manifest.h"
#include "util/durable_file.h"
#include "util/string_building.h"

namespace ketcd::backup {
namespace {

namespace fs = std::filesystem;

// Names are joined to the directory only as one component of ours: a
// backup name plus a suffix, never "..", a "/" or a leftover ".part".
Status CheckName(const std::string& name) {
  if (!IsBackupName(name) || name.ends_with(".part")) {
    return InvalidArgument(Quoted(name.substr(0, 80)) + " is not a backup object name");
  }
  return Status::Ok();
}

// An object in the making: NAME.part until Finish() (util/durable_file.h);
// destroyed unfinished, it leaves nothing.
class FileSink : public ByteSink {
 public:
  explicit FileSink(DurableFile file) : file_(std::move(file)) {}
  Status Write(std::string_view bytes) override { return file_.Write(bytes); }
  Status Finish() override { return file_.Commit(); }

 private:
  DurableFile file_;
};

class DirectoryDestination : public Destination {
 public:
  explicit DirectoryDestination(fs::path dir) : dir_(std::move(dir)) {}
  std::string Describe() const override { return "dir:" + dir_.string(); }

  Result<std::unique_ptr<ByteSink>> Create(const std::string& name) override {
    KETCD_RETURN_IF_ERROR(CheckName(name));
    auto file = DurableFile::Create((dir_ / name).string(), 0600);
    if (!file.ok()) return file.status();
    return std::unique_ptr<ByteSink>(new FileSink(std::move(*file)));
  }
  Result<std::vector<std::string>> List() override {
    std::vector<std::string> names;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir_, error)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && CheckName(name).ok()) names.push_back(name);
    }
    if (error) return IoError(dir_.string() + ": " + error.message());
    std::sort(names.begin(), names.end());
    return names;
  }
  Status Read(const std::string& name, ByteSink& out) override {
    KETCD_RETURN_IF_ERROR(CheckName(name));
    const fs::path path = dir_ / name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return NotFound(path.string() + ": " + std::strerror(errno));
    std::string buffer(1 << 20, '\0');
    Status status;
    while (status.ok()) {
      const ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) status = IoError(path.string() + ": " + std::strerror(errno));
      if (n <= 0) break;
      status = out.Write(std::string_view(buffer.data(), static_cast<size_t>(n)));
    }
    ::close(fd);
    return status.ok() ? out.Finish() : status;
  }
  Status Remove(const std::string& name) override {
    KETCD_RETURN_IF_ERROR(CheckName(name));
    std::error_code error;
    fs::remove(dir_ / name, error);
    return error ? IoError((dir_ / name).string() + ": " + error.message()) : Status::Ok();
  }

 private:
  fs::path dir_;
};

}  // namespace

Result<std::unique_ptr<Destination>> OpenDirectoryDestination(const std::string& path) {
  if (path.empty()) return InvalidArgument("empty backup directory");
  std::error_code error;
  fs::create_directories(path, error);
  if (error) return IoError(path + ": " + error.message());
  return std::unique_ptr<Destination>(new DirectoryDestination(path));
}

}  // namespace ketcd::backup
