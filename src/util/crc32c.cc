#include "util/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace ketcd {
namespace {

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
    table[i] = crc;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kTable = MakeTable();

uint32_t UpdatePortable(uint32_t crc, const unsigned char* data, size_t size) {
  for (size_t i = 0; i < size; ++i) crc = kTable[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
// Three independent streams over consecutive lanes of kLane bytes keep the
// CRC unit busy (one instruction has a latency of three cycles but a
// throughput of one per cycle); the lanes are then joined with the
// "advance the state over kLane zero bytes" operator, which is linear and
// so works byte-wise from four tables.
constexpr size_t kLane = 256;

struct ShiftTables {
  uint32_t table[4][256];
  ShiftTables() {
    static const unsigned char zeros[kLane] = {};
    for (int k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) table[k][b] = UpdatePortable(b << (8 * k), zeros, kLane);
    }
  }
  uint32_t Shift(uint32_t crc) const {
    return table[0][crc & 0xFF] ^ table[1][(crc >> 8) & 0xFF] ^ table[2][(crc >> 16) & 0xFF] ^
           table[3][crc >> 24];
  }
};

__attribute__((target("sse4.2"))) uint32_t UpdateSse42(uint32_t crc, const unsigned char* data,
                                                       size_t size) {
  static const ShiftTables shift;
  auto load = [](const unsigned char* at) {
    uint64_t word;
    std::memcpy(&word, at, 8);
    return word;
  };
  while (size >= 3 * kLane) {
    uint64_t a = crc, b = 0, c = 0;
    for (size_t i = 0; i < kLane; i += 8) {
      a = _mm_crc32_u64(a, load(data + i));
      b = _mm_crc32_u64(b, load(data + kLane + i));
      c = _mm_crc32_u64(c, load(data + 2 * kLane + i));
    }
    crc = shift.Shift(shift.Shift(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b)) ^
          static_cast<uint32_t>(c);
    data += 3 * kLane;
    size -= 3 * kLane;
  }
  uint64_t wide = crc;
  while (size >= 8) {
    wide = _mm_crc32_u64(wide, load(data));
    data += 8;
    size -= 8;
  }
  crc = static_cast<uint32_t>(wide);
  while (size > 0) {
    crc = _mm_crc32_u8(crc, *data++);
    --size;
  }
  return crc;
}
const bool kHasSse42 = __builtin_cpu_supports("sse4.2");
#endif

// The state after `length` more zero bytes: the CRC register as a vector
// over GF(2), advanced by a matrix squared up to the length (as zlib's
// crc32_combine does), one bit of `length` at a time.
uint32_t Times(const uint32_t matrix[32], uint32_t vector) {
  uint32_t sum = 0;
  for (int i = 0; vector != 0; ++i, vector >>= 1) {
    if (vector & 1) sum ^= matrix[i];
  }
  return sum;
}

void Square(uint32_t square[32], const uint32_t matrix[32]) {
  for (int i = 0; i < 32; ++i) square[i] = Times(matrix, matrix[i]);
}

uint32_t AdvanceOverZeros(uint32_t state, uint64_t length) {
  uint32_t odd[32], even[32];
  odd[0] = 0x82F63B78u;  // one zero bit
  for (int i = 1; i < 32; ++i) odd[i] = 1u << (i - 1);
  Square(even, odd);  // two bits
  Square(odd, even);  // four bits
  while (length != 0) {
    Square(even, odd);
    if (length & 1) state = Times(even, state);
    length >>= 1;
    if (length == 0) break;
    Square(odd, even);
    if (length & 1) state = Times(odd, state);
    length >>= 1;
  }
  return state;
}

}  // namespace

void Crc32c::Append(const Crc32c& segment, uint64_t length) {
  state_ = AdvanceOverZeros(state_, length) ^ segment.state_;
}

void Crc32c::Update(std::string_view bytes) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
#if defined(__x86_64__)
  if (kHasSse42) {
    state_ = UpdateSse42(state_, data, bytes.size());
    return;
  }
#endif
  state_ = UpdatePortable(state_, data, bytes.size());
}

}  // namespace ketcd
