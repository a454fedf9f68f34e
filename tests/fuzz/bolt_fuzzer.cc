// libFuzzer target: any bytes opened as a bbolt database must give results
// or errors from the structural check and from cursors (iteration and
// seeks in every bucket), never a crash, a hang or a sanitizer report.
// Seeds come from tests/fuzz/bolt_fuzz_seeds.cc; scripts/test runs it briefly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bolt/check.h"
#include "bolt/database.h"

namespace {

void Iterate(const ketcd::bolt::Database& db, const ketcd::bolt::BucketRef& bucket, int depth) {
  ketcd::bolt::Cursor cursor(db, bucket);
  int steps = 0;
  for (auto status = cursor.First(); status.ok() && cursor.valid() && steps < 10000;
       status = cursor.Next(), ++steps) {
    if (cursor.element().is_bucket && depth < 4) {
      auto nested = db.Bucket(bucket, cursor.key());
      if (nested.ok()) Iterate(db, *nested, depth + 1);
    }
  }
  (void)cursor.Seek("key");
  (void)cursor.Seek(std::string_view("\0\0\0\0\0\0\0\x05_", 9));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto db = ketcd::bolt::Database::FromBytes(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!db.ok()) return 0;
  ketcd::bolt::CheckOptions options;
  options.parallel = true;
  options.visit = [](const ketcd::bolt::Visit&) { return ketcd::Status::Ok(); };
  (void)ketcd::bolt::CheckDatabase(*db, options);
  Iterate(*db, db->root(), 0);
  return 0;
}
