#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "backup/destination.h"
#include "util/new_file.h"

namespace ketcd::backup {
namespace {

namespace fs = std::filesystem;

class FileSink : public ByteSink {
 public:
  FileSink(int fd, fs::path part, fs::path final_path) : fd_(fd), part_(std::move(part)), final_(std::move(final_path)) {}
  ~FileSink() override {
    if (fd_ >= 0) {  // abandoned: never published
      ::close(fd_);
      std::error_code ignored;
      fs::remove(part_, ignored);
    }
  }
  Status Write(std::string_view bytes) override { return WriteAll(fd_, bytes, part_.string()); }
  Status Finish() override {
    if (::fsync(fd_) != 0) return IoError(part_.string() + ": fsync: " + std::strerror(errno));
    ::close(std::exchange(fd_, -1));
    std::error_code error;
    fs::rename(part_, final_, error);
    if (error) return IoError(final_.string() + ": " + error.message());
    (void)SyncDirectoryOf(final_.string());  // the object is complete either way
    return Status::Ok();
  }

 private:
  int fd_;
  fs::path part_, final_;
};

class DirectoryDestination : public Destination {
 public:
  explicit DirectoryDestination(fs::path dir) : dir_(std::move(dir)) {}
  std::string Describe() const override { return "dir:" + dir_.string(); }

  Result<std::unique_ptr<ByteSink>> Create(const std::string& name) override {
    const fs::path part = dir_ / ("." + name + ".part");
    const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return IoError(part.string() + ": " + std::strerror(errno));
    return std::unique_ptr<ByteSink>(new FileSink(fd, part, dir_ / name));
  }
  Result<std::vector<std::string>> List() override {
    std::vector<std::string> names;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir_, error)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && !name.starts_with(".")) names.push_back(name);
    }
    if (error) return IoError(dir_.string() + ": " + error.message());
    std::sort(names.begin(), names.end());
    return names;
  }
  Status Read(const std::string& name, ByteSink& out) override {
    const fs::path path = dir_ / name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
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
