#include "bus/routing.h"

namespace orion::bus {
namespace {

std::string_view stringMember(const Json& document, const char* object, const char* field) {
  if (!document.is_object()) return {};
  auto outer = document.find(object);
  if (outer == document.end() || !outer->is_object()) return {};
  auto inner = outer->find(field);
  if (inner == outer->end() || !inner->is_string()) return {};
  return inner->get_ref<const std::string&>();
}

}  // namespace

std::string_view targetNode(const Json& document) {
  std::string_view node = stringMember(document, "tags", "node");
  return node.empty() ? stringMember(document, "data", "node") : node;
}

bool addressedTo(const Json& document, std::string_view node) {
  return !node.empty() && targetNode(document) == node;
}

std::string nodeGroup(std::string_view base, std::string_view node) {
  return std::string(base) + "-" + std::string(node);
}

}  // namespace orion::bus
