#include "k8s/special_types.h"

#include <map>
#include <string>

namespace ketcd::k8s {

SpecialType ClassifyType(const google::protobuf::Descriptor& type, const JsonTags& tags) {
  static const std::map<std::string, SpecialType> kByName = {
      {"k8s.io.apimachinery.pkg.apis.meta.v1.Time", SpecialType::kTime},
      {"k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime", SpecialType::kMicroTime},
      {"k8s.io.apimachinery.pkg.apis.meta.v1.Duration", SpecialType::kDuration},
      {"k8s.io.apimachinery.pkg.util.intstr.IntOrString", SpecialType::kIntOrString},
      {"k8s.io.apimachinery.pkg.api.resource.Quantity", SpecialType::kQuantity},
      {"k8s.io.apimachinery.pkg.api.resource.QuantityValue", SpecialType::kQuantity},
      {"k8s.io.apimachinery.pkg.runtime.RawExtension", SpecialType::kInlineJson},
      {"k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1", SpecialType::kInlineJson},
  };
  if (auto it = kByName.find(type.full_name()); it != kByName.end()) return it->second;
  if (type.field_count() == 1 && type.field(0)->name() == "items" && type.field(0)->is_repeated() &&
      tags.Find(type.full_name()) == nullptr) {
    return SpecialType::kSliceWrapper;
  }
  return SpecialType::kNone;
}

}  // namespace ketcd::k8s
