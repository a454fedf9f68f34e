// Snapshot files in a zip archive, as RKE and k3s/RKE2 write them when told
// to compress (--etcd-snapshot-compress): one etcd snapshot inside (RKE adds
// its cluster state file beside it; the largest entry is the snapshot).
// A stored entry is read in place from the mapped archive; a deflated one is
// inflated once into a temporary file under TMPDIR, unlinked as soon as it
// is mapped, so nothing is left behind whatever happens next.
// Facts from the ZIP application note (APPNOTE.TXT): end of central
// directory, its ZIP64 form, central directory and local file headers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bolt/database.h"
#include "util/mapped_file.h"
#include "util/status.h"

namespace ketcd::snapshot {

// Whether a file starting with `head` is a zip archive.
bool IsZipArchive(std::string_view head);

struct ZipEntry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;  // 0 stored, 8 deflated
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;
  uint64_t local_header_offset = 0;
};

// The entries of the archive's central directory; kDataLoss naming what is
// wrong for a damaged archive.
Result<std::vector<ZipEntry>> ReadZipDirectory(std::string_view archive);

struct ZippedSnapshot {
  bolt::Database db;
  std::string entry;                    // its name in the archive
  std::optional<uint32_t> stored_crc32;  // stored in place: the CRC to check it against
};

// The snapshot in `archive`, the mapped zip file at `path` (named in errors).
Result<ZippedSnapshot> OpenZippedSnapshot(const std::string& path, std::shared_ptr<MappedFile> archive);

// CRC-32 (zip's) of `bytes`, continuing from `crc`.
uint32_t ZipCrc32(std::string_view bytes, uint32_t crc = 0);

}  // namespace ketcd::snapshot
