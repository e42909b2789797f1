#include "config/tree_walk.h"

namespace orion::config {

std::string describeRaw(const RawValue& value) {
  switch (value.shape) {
    case RawValue::Shape::kNull:
      return "null";
    case RawValue::Shape::kScalar:
      return "'" + value.text + "'";
    case RawValue::Shape::kList:
      return "a list";
    case RawValue::Shape::kMapping:
      return "a mapping";
  }
  return "nothing";
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace orion::config
