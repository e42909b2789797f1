// The contract registry: every JSON Schema ORION speaks, compiled once, and a validator that is
// fast enough to run on every publish and every consume.
//
// Schemas live in contracts/*.schema.json and are compiled into the binary (no files needed at run
// time). A valid document is recognised by a fast evaluator of the schema (fast_check.h); valijson
// decides, and reports the failures, whenever that evaluator says no or does not apply. A contract
// type is the schema file name without ".schema.json" ("event", "approval_request", "edge.command",
// "deadletter"). Structure (required, enum, const, pattern, additionalProperties,
// oneOf/anyOf/if-then, ranges) is checked by valijson; `format` (date-time, uuid) is checked by
// ORION's own fast checks (common/time.h, common/ids.h), because Debian's valijson 1.0 builds a
// std::regex for every date-time it checks.
//
// A registry is immutable after construction and safe to share between threads
// (std::shared_ptr<const ContractRegistry>).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace orion::contracts {

// One reason a document is invalid: where (a JSON pointer into the document, "" for the root) and
// what was expected there.
struct ValidationFailure {
  std::string pointer;
  std::string message;
};

class ContractRegistry {
 public:
  ~ContractRegistry();
  ContractRegistry(const ContractRegistry&) = delete;
  ContractRegistry& operator=(const ContractRegistry&) = delete;

  // Compiles the schemas embedded in the binary. Fails only if an embedded schema is itself broken
  // (a build defect), naming the file.
  static Result<std::shared_ptr<const ContractRegistry>> loadEmbedded();

  // Compiles every *.schema.json in `directory` (for tests and for checking edited schemas).
  static Result<std::shared_ptr<const ContractRegistry>> loadDirectory(
      const std::filesystem::path& directory);

  bool has(std::string_view type) const;
  std::vector<std::string> types() const;  // sorted
  // The schema document of `type` (as written, with `format`), or nullptr.
  const Json* schema(std::string_view type) const;

  // Every failure of `document` against `type`'s schema; empty means valid. An unknown type is
  // one failure at "" saying so. Always valijson (the reference): slower than validate().
  std::vector<ValidationFailure> check(std::string_view type, const Json& document) const;

  // OK, or kNotFound for an unknown type ("unknown contract type 'x'"), or kInvalidArgument whose
  // message lists each failure as "<pointer>: <message>" joined by "; ".
  Status validate(std::string_view type, const Json& document) const;

  struct Impl;

 private:
  explicit ContractRegistry(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The names of the contract types, as constants so a typo is a compile error.
namespace type {
inline constexpr std::string_view kEvent = "event";
inline constexpr std::string_view kIncident = "incident";
inline constexpr std::string_view kDecision = "decision";
inline constexpr std::string_view kAction = "action";
inline constexpr std::string_view kOutcome = "outcome";
inline constexpr std::string_view kApprovalRequest = "approval_request";
inline constexpr std::string_view kApprovalDecision = "approval_decision";
inline constexpr std::string_view kApproval = "approval";  // deprecated, still accepted
inline constexpr std::string_view kValidation = "validation";
inline constexpr std::string_view kEdgeCommand = "edge.command";
inline constexpr std::string_view kEdgeTelemetry = "edge.telemetry";
inline constexpr std::string_view kEdgeHealth = "edge.health";
inline constexpr std::string_view kDeadletter = "deadletter";
inline constexpr std::string_view kAutonomyChange = "autonomy_change";
inline constexpr std::string_view kControlRequest = "control_request";
inline constexpr std::string_view kControlResponse = "control_response";
}  // namespace type

// The contract types that travel on the core pipeline streams, in pipeline order.
const std::vector<std::string_view>& pipelineTypes();

// The Redis stream key of a contract type: "<prefix>:<type>s" ("orion:events").
std::string streamKey(std::string_view prefix, std::string_view type);

}  // namespace orion::contracts
