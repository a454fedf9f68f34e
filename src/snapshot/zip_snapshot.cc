#include "snapshot/zip_snapshot.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "util/mapped_file.h"

namespace ketcd::snapshot {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64EndOfDirectory = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr size_t kEndOfDirectorySize = 22;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kLocalHeaderSize = 30;

// Little-endian fields; the caller has checked the bounds.
uint64_t Field(std::string_view bytes, size_t offset, int width) {
  uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes[offset + i]);
  return value;
}

Status Damaged(const std::string& what) { return DataLoss("damaged zip archive: " + what); }

// Where the central directory is and how many entries it has, from the end
// of central directory record (or its ZIP64 form when that says so).
struct Directory {
  uint64_t offset = 0, size = 0, entries = 0;
};

Result<Directory> FindDirectory(std::string_view archive) {
  if (archive.size() < kEndOfDirectorySize) return Damaged("too short");
  // The record ends the file, after a comment of at most 65535 bytes.
  const size_t longest = kEndOfDirectorySize + 0xffff;
  const size_t lowest = archive.size() > longest ? archive.size() - longest : 0;
  size_t end = std::string_view::npos;
  for (size_t at = archive.size() - kEndOfDirectorySize + 1; at-- > lowest;) {
    const bool ends_the_file = at + kEndOfDirectorySize + Field(archive, at + 20, 2) == archive.size();
    if (Field(archive, at, 4) == kEndOfDirectory && ends_the_file) {
      end = at;
      break;
    }
  }
  if (end == std::string_view::npos) return Damaged("no end of central directory record");
  Directory directory{Field(archive, end + 16, 4), Field(archive, end + 12, 4), Field(archive, end + 10, 2)};
  if (Field(archive, end + 4, 2) != 0 || Field(archive, end + 6, 2) != 0) return Damaged("split over several disks");
  const bool zip64 = directory.offset == 0xffffffff || directory.size == 0xffffffff || directory.entries == 0xffff;
  if (zip64) {
    if (end < 20 || Field(archive, end - 20, 4) != kZip64Locator) return Damaged("no ZIP64 locator");
    const uint64_t record = Field(archive, end - 20 + 8, 8);
    if (record > archive.size() || archive.size() - record < 56 || Field(archive, record, 4) != kZip64EndOfDirectory) {
      return Damaged("no ZIP64 end of central directory record");
    }
    directory = {Field(archive, record + 48, 8), Field(archive, record + 40, 8), Field(archive, record + 32, 8)};
  }
  if (directory.offset > archive.size() || directory.size > archive.size() - directory.offset) {
    return Damaged("central directory past the end of the file");
  }
  return directory;
}

// The ZIP64 extended information extra field replaces, in this order, the
// sizes and offset that are 0xffffffff in the header.
Status ApplyZip64Extra(std::string_view extra, ZipEntry& entry) {
  for (size_t at = 0; at + 4 <= extra.size();) {
    const uint64_t id = Field(extra, at, 2), size = Field(extra, at + 2, 2);
    if (at + 4 + size > extra.size()) return Damaged(entry.name + ": extra field past its end");
    if (id == 0x0001) {
      std::string_view data = extra.substr(at + 4, size);
      size_t used = 0;
      for (uint64_t* value : {&entry.size, &entry.compressed_size, &entry.local_header_offset}) {
        if (*value != 0xffffffff) continue;
        if (used + 8 > data.size()) return Damaged(entry.name + ": short ZIP64 extra field");
        *value = Field(data, used, 8);
        used += 8;
      }
      return Status::Ok();
    }
    at += 4 + size;
  }
  if (entry.size == 0xffffffff || entry.compressed_size == 0xffffffff || entry.local_header_offset == 0xffffffff) {
    return Damaged(entry.name + ": ZIP64 sizes without their extra field");
  }
  return Status::Ok();
}

// The entry's data in the archive, after its local header.
Result<std::string_view> EntryData(std::string_view archive, const ZipEntry& entry) {
  const uint64_t header = entry.local_header_offset;
  if (header > archive.size() || archive.size() - header < kLocalHeaderSize ||
      Field(archive, header, 4) != kLocalHeader) {
    return Damaged(entry.name + ": no local header at offset " + std::to_string(header));
  }
  const uint64_t data = header + kLocalHeaderSize + Field(archive, header + 26, 2) + Field(archive, header + 28, 2);
  if (data > archive.size() || entry.compressed_size > archive.size() - data) {
    return Damaged(entry.name + ": data past the end of the file");
  }
  return archive.substr(data, entry.compressed_size);
}

// Inflates a deflated entry into an unlinked temporary file, mapped.
Result<std::shared_ptr<MappedFile>> Inflate(const std::string& path, std::string_view compressed,
                                            const ZipEntry& entry) {
  std::error_code error;
  const std::filesystem::path directory = std::filesystem::temp_directory_path(error);
  if (error) return Internal("no directory for temporary files: " + error.message());
  std::string temporary = (directory / "ketcd-snapshot-XXXXXX").string();
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) return Internal("inflating " + path + ": " + directory.string() + ": " + std::strerror(errno));
  struct Cleanup {
    int fd;
    std::string path;
    ~Cleanup() {
      ::close(fd);
      ::unlink(path.c_str());
    }
  } cleanup{fd, temporary};

  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return Internal("zlib: cannot start inflating");
  std::string out(size_t{1} << 20, '\0');
  uint32_t crc = 0;
  uint64_t written = 0;
  int result = Z_OK;
  size_t offset = 0;
  while (result != Z_STREAM_END) {
    if (stream.avail_in == 0 && offset < compressed.size()) {
      const size_t chunk = std::min<size_t>(compressed.size() - offset, size_t{1} << 30);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + offset));
      stream.avail_in = static_cast<uInt>(chunk);
      offset += chunk;
    }
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    result = inflate(&stream, Z_NO_FLUSH);
    const size_t produced = out.size() - stream.avail_out;
    if (result != Z_OK && result != Z_STREAM_END) break;
    if (produced == 0 && stream.avail_in == 0 && offset == compressed.size()) break;  // truncated
    crc = ZipCrc32(std::string_view(out.data(), produced), crc);
    for (size_t done = 0; done < produced;) {
      const ssize_t n = ::write(fd, out.data() + done, produced - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const std::string reason = std::strerror(errno);
        inflateEnd(&stream);
        return Internal("inflating " + path + " into " + directory.string() + ": " + reason +
                        " (TMPDIR chooses the directory; the snapshot needs " + std::to_string(entry.size) +
                        " bytes)");
      }
      done += static_cast<size_t>(n);
    }
    written += produced;
  }
  inflateEnd(&stream);
  if (result != Z_STREAM_END) {
    const char* what = result == Z_OK || result == Z_BUF_ERROR ? "truncated" : "corrupt";
    return Damaged(entry.name + ": deflated data " + what + " after " + std::to_string(written) + " bytes");
  }
  if (written != entry.size || crc != entry.crc32) {
    return Damaged(entry.name + ": inflated " + std::to_string(written) + " bytes that do not match the " +
                   std::to_string(entry.size) + " bytes and CRC-32 the archive lists");
  }
  auto mapping = MappedFile::Open(temporary);
  if (!mapping.ok()) return mapping.status();
  return std::shared_ptr<MappedFile>(std::move(*mapping));
}

}  // namespace

bool IsZipArchive(std::string_view head) { return head.size() >= 4 && Field(head, 0, 4) == kLocalHeader; }

uint32_t ZipCrc32(std::string_view bytes, uint32_t crc) {
  constexpr size_t kChunk = size_t{1} << 30;  // zlib takes 32-bit lengths
  for (size_t offset = 0; offset < bytes.size(); offset += kChunk) {
    const size_t chunk = std::min(kChunk, bytes.size() - offset);
    const auto* data = reinterpret_cast<const Bytef*>(bytes.data() + offset);
    crc = static_cast<uint32_t>(crc32(crc, data, static_cast<uInt>(chunk)));
  }
  return crc;
}

Result<std::vector<ZipEntry>> ReadZipDirectory(std::string_view archive) {
  auto directory = FindDirectory(archive);
  if (!directory.ok()) return directory.status();
  std::vector<ZipEntry> entries;
  const std::string_view central = archive.substr(directory->offset, directory->size);
  size_t at = 0;
  for (uint64_t i = 0; i < directory->entries; ++i) {
    if (central.size() - at < kCentralHeaderSize || Field(central, at, 4) != kCentralHeader) {
      return Damaged("central directory entry " + std::to_string(i) + " is cut short or has no signature");
    }
    const size_t name_size = Field(central, at + 28, 2), extra_size = Field(central, at + 30, 2),
                 comment_size = Field(central, at + 32, 2);
    if (central.size() - at - kCentralHeaderSize < name_size + extra_size + comment_size) {
      return Damaged("central directory entry " + std::to_string(i) + " runs past the directory");
    }
    ZipEntry entry;
    entry.flags = static_cast<uint16_t>(Field(central, at + 8, 2));
    entry.method = static_cast<uint16_t>(Field(central, at + 10, 2));
    entry.crc32 = static_cast<uint32_t>(Field(central, at + 16, 4));
    entry.compressed_size = Field(central, at + 20, 4);
    entry.size = Field(central, at + 24, 4);
    entry.local_header_offset = Field(central, at + 42, 4);
    entry.name = std::string(central.substr(at + kCentralHeaderSize, name_size));
    KETCD_RETURN_IF_ERROR(ApplyZip64Extra(central.substr(at + kCentralHeaderSize + name_size, extra_size), entry));
    entries.push_back(std::move(entry));
    at += kCentralHeaderSize + name_size + extra_size + comment_size;
  }
  return entries;
}

Result<ZippedSnapshot> OpenZippedSnapshot(const std::string& path, std::shared_ptr<MappedFile> archive) {
  auto entries = ReadZipDirectory(archive->bytes());
  if (!entries.ok()) return entries.status().WithContext(path);
  const ZipEntry* snapshot = nullptr;
  for (const ZipEntry& entry : *entries) {
    if (entry.name.empty() || entry.name.back() == '/') continue;  // a directory
    if (snapshot == nullptr || entry.size > snapshot->size) snapshot = &entry;
  }
  if (snapshot == nullptr) return InvalidArgument(path + ": the zip archive holds no file");
  if (snapshot->flags & 1) return InvalidArgument(path + ": " + snapshot->name + " is encrypted in the archive");
  auto data = EntryData(archive->bytes(), *snapshot);
  if (!data.ok()) return data.status().WithContext(path);
  Result<bolt::Database> db = Internal("not opened");
  std::optional<uint32_t> stored_crc32;
  if (snapshot->method == 0) {
    if (snapshot->size != snapshot->compressed_size) {
      return Damaged(snapshot->name + ": stored with two sizes").WithContext(path);
    }
    stored_crc32 = snapshot->crc32;
    db = bolt::Database::InMapping(archive, *data);
  } else if (snapshot->method == 8) {
    auto inflated = Inflate(path, *data, *snapshot);
    if (!inflated.ok()) return inflated.status().WithContext(path);
    const std::string_view bytes = (*inflated)->bytes();
    db = bolt::Database::InMapping(std::move(*inflated), bytes);
  } else {
    return InvalidArgument(path + ": " + snapshot->name + " is compressed with method " +
                           std::to_string(snapshot->method) + " (stored and deflated are read)");
  }
  if (!db.ok()) return db.status().WithContext(path + ": " + snapshot->name);
  return ZippedSnapshot{std::move(*db), snapshot->name, stored_crc32};
}

}  // namespace ketcd::snapshot
