#include "support/zip_writer.h"

#include <zlib.h>

#include <cstdint>

namespace ketcd::testing {
namespace {

void Append(std::string& out, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::string RawDeflate(const std::string& data) {
  z_stream stream{};
  deflateInit2(&stream, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace

std::string ZipOf(const std::vector<ZipMember>& members, bool deflated,
                  const std::function<void(std::string&)>& damage) {
  std::string archive, central;
  for (const ZipMember& member : members) {
    std::string data = deflated ? RawDeflate(member.content) : member.content;
    if (damage) damage(data);
    const uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(member.content.data()), static_cast<uInt>(member.content.size())));
    const uint16_t method = deflated ? 8 : 0;
    const size_t offset = archive.size();
    Append(archive, 0x04034b50, 4);
    Append(archive, 20, 2);
    Append(archive, 0, 2);
    Append(archive, method, 2);
    Append(archive, 0, 4);  // time, date
    Append(archive, crc, 4);
    Append(archive, data.size(), 4);
    Append(archive, member.content.size(), 4);
    Append(archive, member.name.size(), 2);
    Append(archive, 0, 2);
    archive += member.name + data;
    Append(central, 0x02014b50, 4);
    Append(central, 20, 2);
    Append(central, 20, 2);
    Append(central, 0, 2);
    Append(central, method, 2);
    Append(central, 0, 4);
    Append(central, crc, 4);
    Append(central, data.size(), 4);
    Append(central, member.content.size(), 4);
    Append(central, member.name.size(), 2);
    Append(central, 0, 2 + 2 + 2 + 2);  // extra, comment, disk, internal attributes
    Append(central, 0, 4);              // external attributes
    Append(central, offset, 4);
    central += member.name;
  }
  const size_t central_offset = archive.size();
  archive += central;
  Append(archive, 0x06054b50, 4);
  Append(archive, 0, 4);
  Append(archive, members.size(), 2);
  Append(archive, members.size(), 2);
  Append(archive, central.size(), 4);
  Append(archive, central_offset, 4);
  Append(archive, 0, 2);
  return archive;
}

}  // namespace ketcd::testing
