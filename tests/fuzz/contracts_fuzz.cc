// Fuzz target: arbitrary bytes as a document of every contract type.
//
// Oracles, beyond "no crash, no hang, no sanitizer report":
//  - check() and validate() agree: no failures exactly when validate() is OK, and a failure
//    always names a JSON pointer that starts with '/' (or is the root "");
//  - a document the registry accepts is one the typed view accepts (fromJson never rejects what
//    the schema allowed), and its toJson() is accepted again;
//  - parseJson's fast path (common/json_fast_parse.h) answers only where nlohmann's parser gives
//    the same tree, number types included.
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/json.h"
#include "common/json_fast_parse.h"
#include "contracts/documents.h"
#include "contracts/registry.h"
#include "fuzz_check.h"

namespace {

using namespace orion;
using namespace orion::contracts;

const ContractRegistry& registry() {
  static const auto loaded = ContractRegistry::loadEmbedded();
  FUZZ_CHECK(loaded.isOk(), "the embedded contracts load");
  return **loaded;
}

template <typename View>
void roundTrip(std::string_view type, const Json& document) {
  auto view = View::fromJson(document);
  FUZZ_CHECK(view.isOk(), "a schema-valid document is accepted by its typed view");
  FUZZ_CHECK(registry().validate(type, view->toJson()).isOk(),
             "the typed view writes a schema-valid document");
}

void checkTypedView(std::string_view type, const Json& document) {
  if (type == type::kEvent) roundTrip<Event>(type, document);
  if (type == type::kIncident) roundTrip<Incident>(type, document);
  if (type == type::kDecision) roundTrip<Decision>(type, document);
  if (type == type::kAction) roundTrip<Action>(type, document);
  if (type == type::kOutcome) roundTrip<Outcome>(type, document);
  if (type == type::kApprovalRequest) roundTrip<ApprovalRequest>(type, document);
  if (type == type::kApprovalDecision) roundTrip<ApprovalDecision>(type, document);
  if (type == type::kDeadletter) roundTrip<Deadletter>(type, document);
}

// Whether two trees have the same type at every place (their dumps compare the values).
bool sameTypes(const Json& a, const Json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_object()) {
    for (auto it = a.begin(), other = b.begin(); it != a.end(); ++it, ++other) {
      if (!sameTypes(*it, *other)) return false;
    }
  }
  if (a.is_array()) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (!sameTypes(a[i], b[i])) return false;
    }
  }
  return true;
}

void checkFastParse(std::string_view text) {
  std::optional<Json> fast = parseJsonFast(text);
  if (!fast) return;
  Json reference = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(!reference.is_discarded(), "the fast path takes only what nlohmann takes");
  FUZZ_CHECK(fast->dump() == reference.dump() && sameTypes(*fast, reference),
             "the fast path gives nlohmann's tree");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  checkFastParse(text);
  auto parsed = parseJson(text);
  if (!parsed.isOk()) return 0;
  for (const std::string& type : registry().types()) {
    auto failures = registry().check(type, *parsed);
    Status status = registry().validate(type, *parsed);
    FUZZ_CHECK(failures.empty() == status.isOk(), "check() and validate() agree");
    for (const auto& failure : failures) {
      FUZZ_CHECK(failure.pointer.empty() || failure.pointer.front() == '/',
                 "a failure names a JSON pointer");
      FUZZ_CHECK(!failure.message.empty(), "a failure says what was expected");
    }
    if (status.isOk()) checkTypedView(type, *parsed);
  }
  return 0;
}
