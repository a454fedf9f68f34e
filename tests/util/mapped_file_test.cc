// A scattered read of a mapped file keeps the process's resident file pages
// bounded, however many pages the kernel maps per fault (large folios).
#include "util/mapped_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "support/test_files.h"

namespace ketcd {
namespace {

size_t ResidentFilePages() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0, shared = 0;
  statm >> size >> resident >> shared;
  return shared;
}

TEST(MappedFileTest, ScatteredReadsKeepTheResidentFilePagesBounded) {
  if (ResidentFilePages() == 0) GTEST_SKIP() << "no /proc/self/statm: the resident set cannot be read";
  const std::string dir = testing::MakeTempDir();
  ASSERT_FALSE(dir.empty());
  const std::string path = dir + "/file";
  constexpr size_t kSize = size_t{192} << 20;
  {
    std::ofstream out(path, std::ios::binary);
    const std::string block(1 << 20, 'x');
    for (size_t written = 0; written < kSize; written += block.size()) out << block;
  }
  auto file = MappedFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status().message();
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t before = ResidentFilePages() * page;
  std::mt19937_64 random(7);
  size_t peak = 0, sum = 0;
  for (int i = 0; i < 20000; ++i) {
    const size_t at = random() % kSize;
    sum += static_cast<unsigned char>((*file)->bytes()[at]);
    (*file)->Touched(100, /*random_access=*/true);
    if (i % 64 == 0) peak = std::max(peak, ResidentFilePages() * page);
  }
  EXPECT_EQ(sum, 20000u * 'x');
  // The limit, plus what one check interval can map at 2 MB per fault.
  const size_t slack = MappedFile::kCheckEvery / MappedFile::kFaultAround * (size_t{2} << 20);
  EXPECT_LE(peak, before + MappedFile::kResidentLimit + slack) << "peak " << (peak >> 20) << " MiB";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ketcd
