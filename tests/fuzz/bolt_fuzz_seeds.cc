// Writes small bbolt databases (1 KB pages: branch pages, overflow values,
// several buckets, an empty one) into DIR as seeds for bolt_fuzzer.
#include <filesystem>
#include <iostream>
#include <string>

#include "bolt/writer.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: bolt_fuzz_seeds DIR\n";
    return 2;
  }
  std::filesystem::create_directories(argv[1]);
  for (int keys : {3, 60}) {
    const std::string path = std::string(argv[1]) + "/seed-" + std::to_string(keys) + ".db";
    std::filesystem::remove(path);
    auto writer = ketcd::bolt::Writer::Create(path, 1024);
    if (!writer.ok()) return 1;
    auto& w = **writer;
    bool ok = w.BeginBucket("empty").ok() && w.BeginBucket("key").ok();
    for (int i = 0; i < keys && ok; ++i) {
      char key[18] = {};
      key[7] = static_cast<char>(i + 2);
      key[8] = '_';
      ok = w.Put(std::string_view(key, 17), std::string(i == 1 ? 3000 : 20, 'v')).ok();
    }
    ok = ok && w.BeginBucket("meta").ok() && w.Put("consistent_index", std::string(8, '\0')).ok();
    if (!ok || !w.Finish().ok()) return 1;
  }
  return 0;
}
