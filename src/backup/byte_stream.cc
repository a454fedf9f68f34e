#include "backup/byte_stream.h"

#include <fstream>

namespace ketcd::backup {

Status StringSink::Write(std::string_view bytes) {
  if (text.size() + bytes.size() > limit_) return DataLoss("more than " + std::to_string(limit_) + " bytes");
  text.append(bytes);
  return Status::Ok();
}

Status HashingSink::Write(std::string_view bytes) {
  sha256_.Update(bytes);
  bytes_ += static_cast<int64_t>(bytes.size());
  return next_ ? next_->Write(bytes) : Status::Ok();
}

Status HashingSink::Finish() {
  hex_ = HexBytes(sha256_.Finish());
  return next_ ? next_->Finish() : Status::Ok();
}

Status CopyFile(const std::string& path, ByteSink& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return IoError(path + ": cannot read");
  std::string buffer(1 << 20, '\0');
  while (file) {
    file.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (file.gcount() > 0) KETCD_RETURN_IF_ERROR(out.Write(std::string_view(buffer.data(), static_cast<size_t>(file.gcount()))));
  }
  return out.Finish();
}

}  // namespace ketcd::backup
