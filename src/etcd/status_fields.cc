#include "etcd/status_fields.h"

#include <google/protobuf/unknown_field_set.h>

namespace ketcd::etcd {
namespace {

using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

DowngradeInfo ParseDowngradeInfo(const std::string& bytes) {
  DowngradeInfo info;
  UnknownFieldSet fields;
  if (!fields.ParseFromString(bytes)) return info;  // damaged: report it as not downgrading
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& field = fields.field(i);
    if (field.number() == 1 && field.type() == UnknownField::TYPE_VARINT) {
      info.enabled = field.varint() != 0;
    } else if (field.number() == 2 && field.type() == UnknownField::TYPE_LENGTH_DELIMITED) {
      info.target_version = field.length_delimited();
    }
  }
  return info;
}

}  // namespace

StatusFieldsSince36 ReadStatusFieldsSince36(const pb::StatusResponse& status) {
  StatusFieldsSince36 result;
  const UnknownFieldSet& fields = status.GetReflection()->GetUnknownFields(status);
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& field = fields.field(i);
    const bool bytes = field.type() == UnknownField::TYPE_LENGTH_DELIMITED;
    if (field.number() == 11 && bytes) {
      result.storage_version = field.length_delimited();
    } else if (field.number() == 12 && field.type() == UnknownField::TYPE_VARINT) {
      result.db_size_quota = static_cast<int64_t>(field.varint());
    } else if (field.number() == 13 && bytes) {
      result.downgrade = ParseDowngradeInfo(field.length_delimited());
    }
  }
  return result;
}

}  // namespace ketcd::etcd
