// Every diagnostic goes through CommandContext::err: run in-process with
// string streams, a decode warning and an error land in the stream given,
// and nothing of them in the output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/app.h"
#include "cli/exit_codes.h"

namespace ketcd::cli {
namespace {

namespace fs = std::filesystem;

std::string LengthDelimited(int field, const std::string& bytes) {
  return std::string(1, static_cast<char>(field << 3 | 2)) + static_cast<char>(bytes.size()) + bytes;
}

// A stored object of a kind no schema knows: decoded raw, with a warning.
std::string StoredUnknownKind() {
  const std::string type_meta = LengthDelimited(1, "example.com/v1") + LengthDelimited(2, "Gadget");
  return std::string("k8s\0", 4) + LengthDelimited(1, type_meta) + LengthDelimited(2, std::string("\x08\x07", 2));
}

int RunInProcess(std::vector<std::string> args, std::string* out, std::string* err) {
  args.insert(args.begin(), "ketcd");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  std::ostringstream out_stream, err_stream;
  const int code = Run(static_cast<int>(argv.size()), argv.data(), out_stream, err_stream);
  *out = out_stream.str();
  *err = err_stream.str();
  return code;
}

TEST(WarningSinkTest, DecodeWarningsAndErrorsGoToTheContextsErrorStream) {
  const fs::path file = fs::temp_directory_path() / ("ketcd-sink-" + std::to_string(::getpid()));
  std::ofstream(file, std::ios::binary) << StoredUnknownKind();
  std::string out, err;
  EXPECT_EQ(RunInProcess({"decode", file.string(), "-o", "json"}, &out, &err), 0) << err;
  EXPECT_NE(err.find("ketcd: warning: example.com/v1 Gadget: not in schema"), std::string::npos) << err;
  EXPECT_NE(out.find("\"kind\": \"Gadget\""), std::string::npos) << out;
  EXPECT_EQ(out.find("warning"), std::string::npos) << out;

  std::ofstream(file, std::ios::binary) << "";
  EXPECT_EQ(RunInProcess({"decode", file.string()}, &out, &err), kExitUsage);  // a bad input file
  EXPECT_EQ(err, "ketcd: " + file.string() + ": the value is empty: there is no object to decode\n");
  EXPECT_EQ(out, "");
  fs::remove(file);
}

}  // namespace
}  // namespace ketcd::cli
