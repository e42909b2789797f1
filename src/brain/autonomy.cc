#include "brain/autonomy.h"

#include <algorithm>
#include <cctype>

#include "common/time.h"

namespace orion::brain {

namespace {

constexpr size_t kMinReason = 10;

std::string trimmed(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

contracts::AutonomyLevel effectiveLevel(contracts::AutonomyLevel configured,
                                        const std::optional<AutonomyRecord>& runtime) {
  if (runtime && runtime->configured_when_set == configured) return runtime->level;
  return configured;
}

Result<AutonomyChange> planAutonomyChange(const AutonomyChangeRequest& request,
                                          contracts::AutonomyLevel current,
                                          contracts::AutonomyLevel configured, WallTime now,
                                          std::string change_id) {
  std::string upper = request.level;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  auto level = contracts::parseAutonomyLevel(upper);
  if (!level) {
    return invalidArgument("unknown autonomy level '" + request.level +
                           "' (expected N0, N1, N2 or N3)");
  }
  std::string reason = trimmed(request.reason);
  if (reason.size() < kMinReason) {
    return invalidArgument("a reason of at least " + std::to_string(kMinReason) +
                           " characters is required (--reason \"why the level changes\")");
  }
  if (*level == current) {
    return failedPrecondition("autonomy is already " + std::string(contracts::toString(current)) +
                              "; nothing changed");
  }
  AutonomyChange change;
  change.record =
      AutonomyRecord{*level, configured, change_id, request.changed_by, request.uid, reason, now};
  Json changed_by = {{"uid", request.uid}, {"description", request.changed_by}};
  if (!request.user.empty()) changed_by["user"] = request.user;
  if (request.pid > 0) changed_by["pid"] = request.pid;
  change.document = {{"version", "1.0"},
                     {"change_id", change_id},
                     {"timestamp", formatRfc3339(now)},
                     {"source", "orion-brain"},
                     {"previous_level", contracts::toString(current)},
                     {"new_level", contracts::toString(*level)},
                     {"configured_level", contracts::toString(configured)},
                     {"changed_by", changed_by},
                     {"channel", "control_socket"},
                     {"reason", reason}};
  return change;
}

Json describeAutonomy(contracts::AutonomyLevel configured,
                      const std::optional<AutonomyRecord>& runtime) {
  contracts::AutonomyLevel level = effectiveLevel(configured, runtime);
  Json out = {
      {"level", contracts::toString(level)},
      {"configured_level", contracts::toString(configured)},
      {"source", runtime && runtime->configured_when_set == configured ? "runtime" : "config"}};
  if (runtime) {
    Json last = {{"level", contracts::toString(runtime->level)},
                 {"changed_by", runtime->changed_by},
                 {"uid", runtime->uid},
                 {"reason", runtime->reason},
                 {"at", formatRfc3339(runtime->at)},
                 {"change_id", runtime->change_id},
                 {"in_force", runtime->configured_when_set == configured}};
    out["last_change"] = last;
  }
  return out;
}

}  // namespace orion::brain
