// libFuzzer target for the WAL reader (restore/wal_reader.h): the segment
// bytes of a data dir that may be torn, corrupt or hostile. Any bytes give
// records, a damage report or an error, never a crash or a sanitizer
// report; each record's data lies inside the input and a reported damage
// lies within it. scripts/test runs it for a minute.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "restore/wal_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (bool last : {false, true}) {
    auto read = ketcd::restore::ScanWalSegment(bytes, "fuzz.wal", last, 0, [&](const ketcd::restore::WalRecord& r) {
      if (!r.data.empty() && (r.data.data() < bytes.data() || r.data.data() + r.data.size() > bytes.data() + size)) {
        std::abort();  // a view outside the input
      }
      return ketcd::Status::Ok();
    });
    if (!read.ok()) std::abort();  // the visitor never fails
    if (read->damage && read->damage->offset > size) std::abort();
    (void)(read->damage ? read->damage->Describe() : "");
  }
  return 0;
}
