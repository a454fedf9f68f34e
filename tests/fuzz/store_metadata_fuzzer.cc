// libFuzzer target for the readers of files others can write: a backup
// manifest (from a store) and the migration journal (on a disk that may
// fill up or be edited). Any bytes give a value or an error, never a crash,
// an exception or a sanitizer report; an accepted manifest never names an
// object outside its own backup. scripts/test runs it briefly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "backup/manifest.h"
#include "migrate/journal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto manifest = ketcd::backup::ParseManifest(text);
  if (manifest.ok()) {
    const bool delta = manifest->kind == ketcd::backup::BackupKind::kDelta;
    if (!ketcd::backup::IsBackupName(manifest->name) ||
        manifest->object != ketcd::backup::ObjectName(manifest->name, manifest->encrypted, manifest->kind) ||
        (delta && (!ketcd::backup::IsBackupName(manifest->chain) || !ketcd::backup::IsBackupName(manifest->previous) ||
                   manifest->first_revision > manifest->revision))) {
      std::abort();  // a promise of ParseManifest broken
    }
    (void)ketcd::backup::ManifestText(*manifest);
  }
  (void)ketcd::migrate::ParseJournal(text, "fuzz.journal");
  return 0;
}
