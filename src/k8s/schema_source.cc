#include "k8s/schema_source.h"

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.pb.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "k8s/go_binary_schema.h"
#include "util/durable_file.h"
#include "util/mapped_file.h"

namespace ketcd::k8s {
namespace {

namespace fs = std::filesystem;

class CollectErrors : public google::protobuf::compiler::MultiFileErrorCollector {
 public:
  void AddError(const std::string& file, int line, int, const std::string& message) override {
    if (errors.size() < 5) errors.push_back(file + ":" + std::to_string(line + 1) + ": " + message);
  }
  std::vector<std::string> errors;
};

// Adds `file` and its imports, imports first, once each.
void AddWithImports(const google::protobuf::FileDescriptor& file, std::set<std::string>& added,
                    google::protobuf::FileDescriptorSet& set) {
  if (!added.insert(file.name()).second) return;
  for (int i = 0; i < file.dependency_count(); ++i) AddWithImports(*file.dependency(i), added, set);
  file.CopyTo(set.add_file());
}

Result<std::string> CompileProtoDirectory(const std::string& root) {
  google::protobuf::compiler::DiskSourceTree tree;
  tree.MapPath("", root);
  CollectErrors errors;
  google::protobuf::compiler::Importer importer(&tree, &errors);
  google::protobuf::FileDescriptorSet set;
  std::set<std::string> added;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root, error); !error && it != fs::end(it);
       it.increment(error)) {
    if (it->path().extension() != ".proto") continue;
    const std::string relative = fs::relative(it->path(), root).string();
    // Only the Kubernetes API; other trees (tests, vendored protos) may
    // not compile and are not needed.
    if (relative.rfind("k8s.io/", 0) != 0) continue;
    const auto* file = importer.Import(relative);
    if (file == nullptr) {
      std::string detail;
      for (const auto& line : errors.errors) detail += "; " + line;
      return InvalidArgument(root + ": cannot compile " + relative + detail);
    }
    AddWithImports(*file, added, set);
  }
  if (set.file_size() == 0) {
    return InvalidArgument(root + ": no k8s.io/**/*.proto below it (give the directory that "
                                  "contains k8s.io/)");
  }
  return set.SerializeAsString();
}

bool IsSchemaName(const std::string& source) {
  return !source.empty() && source.find('/') == std::string::npos && source != "." &&
         source != "..";
}

}  // namespace

std::string SchemaCacheDir() {
  const char* cache = std::getenv("XDG_CACHE_HOME");
  if (cache && *cache) return std::string(cache) + "/ketcd/schemas";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.cache/ketcd/schemas";
}

Result<std::string> ReadDescriptorSource(const std::string& source) {
  std::error_code error;
  if (fs::is_directory(source, error)) return CompileProtoDirectory(source);
  std::string path = source;
  if (!fs::exists(path, error) && IsSchemaName(source)) {
    path = SchemaCacheDir() + "/" + source + ".desc";
    if (!fs::exists(path, error)) {
      return InvalidArgument("no schema file or imported schema \"" + source + "\"");
    }
  }
  auto mapping = MappedFile::Open(path);
  if (!mapping.ok()) return InvalidArgument(mapping.status().message());
  const std::string_view bytes = (*mapping)->bytes();
  if (!LooksLikeExecutable(bytes)) return std::string(bytes);
  auto set = DescriptorSetFromGoBinary(bytes);
  if (!set.ok()) return InvalidArgument(path + ": " + set.status().message());
  return set;
}

Result<std::string> ImportSchema(const std::string& source, const std::string& name) {
  if (!IsSchemaName(name)) return InvalidArgument("schema name \"" + name + "\" must not hold a /");
  auto set = ReadDescriptorSource(source);
  if (!set.ok()) return set.status();
  const std::string dir = SchemaCacheDir();
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return IoError(dir + ": " + error.message());
  const std::string path = dir + "/" + name + ".desc";
  KETCD_RETURN_IF_ERROR(WriteFileDurably(path, *set, 0644, DurableFile::Existing::kReplace));
  return path;
}

std::vector<std::string> ImportedSchemas() {
  std::vector<std::string> names;
  std::error_code error;
  for (auto it = fs::directory_iterator(SchemaCacheDir(), error); !error && it != fs::end(it);
       it.increment(error)) {
    if (it->path().extension() == ".desc") names.push_back(it->path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace ketcd::k8s
