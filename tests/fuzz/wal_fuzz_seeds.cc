// Writes WAL segments as ketcd's restore writes them (metadata, snapshot,
// entries, hard state), cut to the records, into DIR as seeds for
// wal_fuzzer.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "restore/wal_writer.h"
#include "util/read_file.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: wal_fuzz_seeds DIR\n";
    return 2;
  }
  namespace fs = std::filesystem;
  fs::create_directories(argv[1]);
  for (int entries : {0, 3}) {
    const std::string dir = std::string(argv[1]) + "/wal-" + std::to_string(entries);
    fs::remove_all(dir);
    ketcd::restore::InitialWal wal;
    wal.metadata.set_nodeid(1);
    wal.metadata.set_clusterid(2);
    for (int i = 1; i <= entries; ++i) {
      raftpb::Entry& entry = wal.entries.emplace_back();
      entry.set_term(1);
      entry.set_index(static_cast<uint64_t>(i));
      entry.set_data(std::string(static_cast<size_t>(40 * i), 'x'));
    }
    wal.state.set_term(1);
    wal.state.set_commit(static_cast<uint64_t>(entries));
    if (!ketcd::restore::WriteInitialWal(dir, wal).ok()) return 1;
    auto bytes = ketcd::ReadWholeFile(dir + "/0000000000000000-0000000000000000.wal");
    if (!bytes.ok()) return 1;
    std::string used = bytes->substr(0, bytes->find_last_not_of('\0') + 1);
    used.resize((used.size() + 7) / 8 * 8, '\0');
    std::ofstream(std::string(argv[1]) + "/seed-" + std::to_string(entries) + ".wal", std::ios::binary) << used;
    fs::remove_all(dir);
  }
  return 0;
}
