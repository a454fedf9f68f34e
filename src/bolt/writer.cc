#include "bolt/writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bolt/format.h"

namespace ketcd::bolt {
namespace {

// Pages are written in batches of about this size.
constexpr size_t kWriteBufferBytes = size_t{4} << 20;

struct Entry {
  std::string key;
  std::string value;
  uint32_t flags = 0;
};

// A page of the level below a branch: its first key and its id.
struct Child {
  std::string key;
  uint64_t page;
};

size_t PagesFor(size_t bytes, uint32_t page_size) { return (bytes + page_size - 1) / page_size; }

}  // namespace

// One B+tree being built bottom-up: leaves fill and are written in order;
// each level keeps the first key and page id of the pages below it.
class Writer::Tree {
 public:
  explicit Tree(Writer& writer) : writer_(writer) {}

  Status Add(std::string key, std::string value, uint32_t flags) {
    const size_t bytes = kElementSize + key.size() + value.size();
    if (!leaf_.empty() && (kPageHeaderSize + leaf_bytes_ + bytes > writer_.page_size_ ||
                           leaf_.size() == UINT16_MAX)) {
      KETCD_RETURN_IF_ERROR(FlushLeaf());
    }
    leaf_bytes_ += bytes;
    leaf_.push_back({std::move(key), std::move(value), flags});
    return Status::Ok();
  }

  // Writes what is left and returns the root page id.
  Result<uint64_t> Finish() {
    if (!leaf_.empty() || children_.empty()) KETCD_RETURN_IF_ERROR(FlushLeaf());
    std::vector<Child> level = std::move(children_);
    while (level.size() > 1) {
      std::vector<Child> parents;
      size_t begin = 0;
      while (begin < level.size()) {
        size_t end = begin, bytes = kPageHeaderSize;
        while (end < level.size() &&
               (end == begin || (bytes + kElementSize + level[end].key.size() <= writer_.page_size_ &&
                                 end - begin < UINT16_MAX))) {
          bytes += kElementSize + level[end].key.size();
          ++end;
        }
        auto id = WriteBranch(level, begin, end, bytes);
        if (!id.ok()) return id.status();
        parents.push_back({level[begin].key, *id});
        begin = end;
      }
      level = std::move(parents);
    }
    return level.front().page;
  }

 private:
  Status FlushLeaf() {
    std::string page(PagesFor(kPageHeaderSize + leaf_bytes_, writer_.page_size_) *
                         writer_.page_size_,
                     '\0');
    size_t data = kPageHeaderSize + leaf_.size() * kElementSize;
    for (size_t i = 0; i < leaf_.size(); ++i) {
      char* element = page.data() + kPageHeaderSize + i * kElementSize;
      const Entry& entry = leaf_[i];
      Store<uint32_t>(element, entry.flags);
      Store<uint32_t>(element + 4, static_cast<uint32_t>(data - (element - page.data())));
      Store<uint32_t>(element + 8, static_cast<uint32_t>(entry.key.size()));
      Store<uint32_t>(element + 12, static_cast<uint32_t>(entry.value.size()));
      std::memcpy(page.data() + data, entry.key.data(), entry.key.size());
      std::memcpy(page.data() + data + entry.key.size(), entry.value.data(), entry.value.size());
      data += entry.key.size() + entry.value.size();
    }
    Store<uint16_t>(page.data() + 8, kLeafPage);
    Store<uint16_t>(page.data() + 10, static_cast<uint16_t>(leaf_.size()));
    auto id = writer_.WritePage(page);
    if (!id.ok()) return id.status();
    children_.push_back({leaf_.empty() ? std::string() : leaf_.front().key, *id});
    leaf_.clear();
    leaf_bytes_ = 0;
    return Status::Ok();
  }

  Result<uint64_t> WriteBranch(const std::vector<Child>& level, size_t begin, size_t end,
                               size_t bytes) {
    std::string page(PagesFor(bytes, writer_.page_size_) * writer_.page_size_, '\0');
    size_t data = kPageHeaderSize + (end - begin) * kElementSize;
    for (size_t i = begin; i < end; ++i) {
      char* element = page.data() + kPageHeaderSize + (i - begin) * kElementSize;
      Store<uint32_t>(element, static_cast<uint32_t>(data - (element - page.data())));
      Store<uint32_t>(element + 4, static_cast<uint32_t>(level[i].key.size()));
      Store<uint64_t>(element + 8, level[i].page);
      std::memcpy(page.data() + data, level[i].key.data(), level[i].key.size());
      data += level[i].key.size();
    }
    Store<uint16_t>(page.data() + 8, kBranchPage);
    Store<uint16_t>(page.data() + 10, static_cast<uint16_t>(end - begin));
    return writer_.WritePage(page);
  }

  Writer& writer_;
  std::vector<Entry> leaf_;
  size_t leaf_bytes_ = 0;
  std::vector<Child> children_;
};

Result<std::unique_ptr<Writer>> Writer::Create(const std::string& path, uint32_t page_size) {
  if (page_size < 1024 || !std::has_single_bit(page_size)) {
    return InvalidArgument("page size must be a power of two of at least 1024");
  }
  auto file = DurableFile::Create(path, 0600);
  if (!file.ok()) return file.status();
  return std::unique_ptr<Writer>(new Writer(std::move(*file), page_size));
}

Writer::Writer(DurableFile file, uint32_t page_size)
    : file_(std::move(file)), path_(file_.part_path()), page_size_(page_size), root_(std::make_unique<Tree>(*this)) {}

Writer::~Writer() = default;

Result<uint64_t> Writer::WritePage(std::string& page) {
  const uint64_t id = next_page_;
  Store<uint64_t>(page.data(), id);
  Store<uint32_t>(page.data() + 12, static_cast<uint32_t>(page.size() / page_size_ - 1));
  next_page_ += page.size() / page_size_;
  pending_ += page;
  if (pending_.size() >= kWriteBufferBytes) KETCD_RETURN_IF_ERROR(FlushPages());
  return id;
}

Status Writer::FlushPages() {
  const off_t offset = static_cast<off_t>(pending_first_ * page_size_);
  size_t written = 0;
  while (written < pending_.size()) {
    ssize_t n = ::pwrite(file_.fd(), pending_.data() + written, pending_.size() - written,
                         offset + static_cast<off_t>(written));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError(path_ + ": " + std::strerror(errno));
    written += static_cast<size_t>(n);
  }
  // Only a hint: Finish's fsync is what makes the file durable.
  ::sync_file_range(file_.fd(), offset, static_cast<off_t>(pending_.size()), SYNC_FILE_RANGE_WRITE);
  pending_first_ = next_page_;
  pending_.clear();
  return Status::Ok();
}

Status Writer::BeginBucket(std::string_view name) {
  if (finished_) return Internal("bolt writer: already finished");
  if (bucket_ && name <= bucket_name_) {
    return InvalidArgument("bolt writer: buckets must come in ascending order");
  }
  KETCD_RETURN_IF_ERROR(EndBucket());
  bucket_ = std::make_unique<Tree>(*this);
  bucket_name_ = name;
  last_key_.clear();
  return Status::Ok();
}

Status Writer::Put(std::string_view key, std::string_view value) {
  if (!bucket_) return Internal("bolt writer: Put before BeginBucket");
  if (key.empty()) return InvalidArgument("bolt writer: empty key");
  if (!last_key_.empty() && key <= last_key_) {
    return InvalidArgument("bolt writer: keys must come in ascending order");
  }
  last_key_ = key;
  return bucket_->Add(std::string(key), std::string(value), 0);
}

Status Writer::EndBucket() {
  if (!bucket_) return Status::Ok();
  auto root = bucket_->Finish();
  if (!root.ok()) return root.status();
  bucket_.reset();
  std::string header(kBucketHeaderSize, '\0');
  Store<uint64_t>(header.data(), *root);
  return root_->Add(bucket_name_, std::move(header), kBucketLeafFlag);
}

Status Writer::Finish() {
  KETCD_RETURN_IF_ERROR(EndBucket());
  auto root = root_->Finish();
  if (!root.ok()) return root.status();
  std::string freelist(page_size_, '\0');
  Store<uint16_t>(freelist.data() + 8, kFreelistPage);
  auto freelist_id = WritePage(freelist);
  if (!freelist_id.ok()) return freelist_id.status();
  KETCD_RETURN_IF_ERROR(FlushPages());
  for (uint64_t id : {0, 1}) {
    std::string page(page_size_, '\0');
    Store<uint64_t>(page.data(), id);  // a one-page meta page: no overflow
    Store<uint16_t>(page.data() + 8, kMetaPage);
    char* meta = page.data() + kPageHeaderSize;
    Store<uint32_t>(meta, kMagic);
    Store<uint32_t>(meta + 4, kVersion);
    Store<uint32_t>(meta + 8, page_size_);
    Store<uint64_t>(meta + 16, *root);
    Store<uint64_t>(meta + 32, *freelist_id);
    Store<uint64_t>(meta + 40, next_page_);
    Store<uint64_t>(meta + 48, id + 1);  // txid
    Store<uint64_t>(meta + kMetaChecksumOffset, MetaChecksum(meta));
    if (::pwrite(file_.fd(), page.data(), page.size(), static_cast<off_t>(id * page_size_)) !=
        static_cast<ssize_t>(page.size())) {
      return IoError(path_ + ": " + std::strerror(errno));
    }
  }
  finished_ = true;
  return file_.Commit();
}

}  // namespace ketcd::bolt
