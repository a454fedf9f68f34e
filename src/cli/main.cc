// ketcd's entry point. The command table is in app.cc; each subcommand lives
// in its own *_commands.cc file and calls one library function.
#include <malloc.h>

#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
  // Streaming commands allocate and free megabyte buffers page after page.
  // glibc would hand each to mmap and back, so every page of every buffer
  // is zeroed by the kernel again; kept in the heap, they are reused (up to
  // 16 MiB of free heap per arena is kept for that).
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
  return ketcd::cli::Run(argc, argv, std::cout, std::cerr);
}
