// Build-time tool: merges the compiled schemas of several Kubernetes API
// releases into one that reads objects written by any of them.
//
//   merge_k8s_schemas OUT.desc OUT.tags NEWEST.desc NEWEST.tags [OLDER.desc OLDER.tags]...
//
// The newest release gives every message its fields, their types and their
// JSON tags (tools/go_json_tags.cc). Each older release, newest to oldest,
// then adds what the merged schema lacks: whole files and messages (kinds
// and types since dropped), and fields of a known message whose number is
// not used there (alpha fields a later release removed: Kubernetes never
// reuses a field number, so a number means one field in every release). A
// field whose name is taken by another number is left out: the object
// would show it as an unknown field rather than mis-decode it. Tags of the
// added fields are appended to their message's, after the newest fields.
#include <google/protobuf/descriptor.pb.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using google::protobuf::DescriptorProto;
using google::protobuf::FileDescriptorProto;
using google::protobuf::FileDescriptorSet;

bool ReadFile(const std::string& path, std::string* bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  *bytes = buffer.str();
  return static_cast<bool>(in);
}

// Tag table lines by message, in file order.
using TagLines = std::map<std::string, std::vector<std::string>>;

TagLines ReadTags(const std::string& text) {
  TagLines lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const std::string message = line.substr(0, line.find(' '));
    if (!message.empty()) lines[message].push_back(line);
  }
  return lines;
}

// A tag line of a field the newest release does not have, made to print
// and encode only when the object holds it (pointer, omitempty): a struct
// field that newer objects lack must not appear in their JSON as {} nor
// be written into their bytes as an empty message.
std::string OnlyWhenPresent(const std::string& line) {
  std::istringstream fields(line);
  std::string message, number, json, flags;
  fields >> message >> number >> json >> flags;
  if (flags == "-") flags.clear();
  for (char flag : {'o', 'p'}) {
    if (flags.find(flag) == std::string::npos) flags += flag;
  }
  return message + " " + number + " " + json + " " + flags;
}

// The field number a tag line names ("<message> <number> <json> <flags>").
int TagNumber(const std::string& line) {
  std::istringstream fields(line);
  std::string message;
  int number = 0;
  fields >> message >> number;
  return number;
}

class Merger {
 public:
  explicit Merger(FileDescriptorSet newest) : merged_(std::move(newest)) {
    for (FileDescriptorProto& file : *merged_.mutable_file()) {
      files_[file.name()] = &file;
      for (DescriptorProto& message : *file.mutable_message_type()) Index(Prefix(file), message);
    }
  }

  // Adds what `older` has and the merged schema lacks; `tags` are its tag
  // lines, from which those of the added fields and messages are taken.
  void Add(const FileDescriptorSet& older, const TagLines& tags) {
    tags_ = &tags;
    for (const FileDescriptorProto& file : older.file()) {
      auto found = files_.find(file.name());
      if (found == files_.end()) {
        FileDescriptorProto* added = merged_.add_file();
        *added = file;
        files_[added->name()] = added;
        for (DescriptorProto& message : *added->mutable_message_type()) {
          Index(Prefix(*added), message);
          AddAllTags(Prefix(*added), message);
        }
        continue;
      }
      FileDescriptorProto& target = *found->second;
      std::set<std::string> dependencies(target.dependency().begin(), target.dependency().end());
      for (const std::string& dependency : file.dependency()) {
        if (!dependencies.count(dependency)) target.add_dependency(dependency);
      }
      for (const DescriptorProto& message : file.message_type()) {
        MergeMessage(Prefix(file), message, target.mutable_message_type());
      }
    }
  }

  const FileDescriptorSet& merged() const { return merged_; }
  const std::vector<std::string>& added_tag_lines() const { return added_tag_lines_; }

 private:
  static std::string Prefix(const FileDescriptorProto& file) {
    return file.package().empty() ? "" : file.package() + ".";
  }

  void Index(const std::string& prefix, DescriptorProto& message) {
    const std::string name = prefix + message.name();
    messages_[name] = &message;
    for (DescriptorProto& nested : *message.mutable_nested_type()) Index(name + ".", nested);
  }

  void AddAllTags(const std::string& prefix, const DescriptorProto& message) {
    const std::string name = prefix + message.name();
    if (auto it = tags_->find(name); it != tags_->end()) {
      added_tag_lines_.insert(added_tag_lines_.end(), it->second.begin(), it->second.end());
    }
    for (const DescriptorProto& nested : message.nested_type()) AddAllTags(name + ".", nested);
  }

  void MergeMessage(const std::string& prefix, const DescriptorProto& old_message,
                    google::protobuf::RepeatedPtrField<DescriptorProto>* siblings) {
    const std::string name = prefix + old_message.name();
    auto found = messages_.find(name);
    if (found == messages_.end()) {
      DescriptorProto* added = siblings->Add();
      *added = old_message;
      Index(prefix, *added);
      AddAllTags(prefix, *added);
      return;
    }
    DescriptorProto& target = *found->second;
    std::set<int> numbers;
    std::set<std::string> names;
    for (const auto& field : target.field()) {
      numbers.insert(field.number());
      names.insert(field.name());
    }
    for (const auto& field : old_message.field()) {
      if (numbers.count(field.number()) || names.count(field.name())) continue;
      *target.add_field() = field;
      if (auto it = tags_->find(name); it != tags_->end()) {
        for (const std::string& line : it->second) {
          if (TagNumber(line) == field.number()) added_tag_lines_.push_back(OnlyWhenPresent(line));
        }
      }
    }
    for (const DescriptorProto& nested : old_message.nested_type()) {
      MergeMessage(name + ".", nested, target.mutable_nested_type());
    }
  }

  FileDescriptorSet merged_;
  std::map<std::string, FileDescriptorProto*> files_;
  std::map<std::string, DescriptorProto*> messages_;
  const TagLines* tags_ = nullptr;
  std::vector<std::string> added_tag_lines_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || (argc - 3) % 2 != 0) {
    std::cerr << "usage: merge_k8s_schemas OUT.desc OUT.tags NEWEST.desc NEWEST.tags [OLDER.desc OLDER.tags]...\n";
    return 2;
  }
  std::vector<FileDescriptorSet> sets;
  std::vector<std::string> tag_texts;
  for (int i = 3; i < argc; i += 2) {
    std::string bytes, tags;
    FileDescriptorSet set;
    if (!ReadFile(argv[i], &bytes) || !set.ParseFromString(bytes) || !ReadFile(argv[i + 1], &tags)) {
      std::cerr << "merge_k8s_schemas: cannot read " << argv[i] << " or " << argv[i + 1] << "\n";
      return 1;
    }
    sets.push_back(std::move(set));
    tag_texts.push_back(std::move(tags));
  }
  Merger merger(sets.front());
  for (size_t i = 1; i < sets.size(); ++i) merger.Add(sets[i], ReadTags(tag_texts[i]));

  std::ofstream desc(argv[1], std::ios::binary | std::ios::trunc);
  std::ofstream tags(argv[2], std::ios::trunc);
  // The newest tags first: each message's fields keep the newest Go order,
  // the added ones after them.
  tags << tag_texts.front();
  for (const std::string& line : merger.added_tag_lines()) tags << line << "\n";
  if (!merger.merged().SerializeToOstream(&desc) || !desc.flush() || !tags.flush()) {
    std::cerr << "merge_k8s_schemas: cannot write " << argv[1] << " or " << argv[2] << "\n";
    return 1;
  }
  return 0;
}
