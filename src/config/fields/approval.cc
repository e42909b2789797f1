#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

using namespace std::chrono_literals;
namespace b = builders;

void addApprovalFields(std::vector<Field>& f) {
  f.push_back(b::duration(
      "approval.default_timeout", 1s, 3600s,
      [](auto& c) -> auto& { return c.approval.default_timeout; }));
  f.push_back(b::duration(
      "approval.max_timeout", 1s, 3600s, [](auto& c) -> auto& { return c.approval.max_timeout; }));
  f.push_back(b::duration(
      "approval.answer_validity", 1s, 3600s,
      [](auto& c) -> auto& { return c.approval.answer_validity; }));
  f.push_back(b::text(
      "approval.admin_key_file", "a file path, or empty for none",
      [](auto& c) -> auto& { return c.approval.admin_key_file; }, nullptr));
}

}  // namespace orion::config
