// Small edits the end-to-end tests make to a copy of the shipped policies (policies/) before they
// run `orion run` on it: replace one piece of text, or make restart_container RISKY so that at N3
// it waits for the admin.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "testing/temp_dir.h"

namespace orion::testing {

inline void writeFile(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::trunc) << text;
}

// Replaces the first `from` in `file` with `to`; false when `from` is not there.
inline bool edit(const std::filesystem::path& file, const std::string& from,
                 const std::string& to) {
  std::string text = readFile(file);
  size_t at = text.find(from);
  if (at == std::string::npos) return false;
  text.replace(at, from.size(), to);
  writeFile(file, text);
  return true;
}

// Moves restart_container from actions_safe.yaml to actions_risky.yaml, with an approval that
// times out after `approval_timeout` (e.g. "600s"). False when actions_safe.yaml lacks it.
inline bool makeRestartRisky(const std::filesystem::path& policies,
                             const std::string& approval_timeout) {
  std::filesystem::path safe = policies / "actions_safe.yaml";
  std::string text = readFile(safe);
  size_t at = text.find("  - action_type: restart_container");
  if (at == std::string::npos) return false;
  writeFile(safe, text.substr(0, at));
  std::string risky = readFile(policies / "actions_risky.yaml");
  risky +=
      "\n  - action_type: restart_container\n"
      "    description: Restart one container (this deployment wants to be asked)\n"
      "    reversible: true\n"
      "    external_side_effects: true\n"
      "    blast_radius: low\n"
      "    justification: The admin of this test decides\n"
      "    requires_approval: true\n"
      "    approval_timeout: " +
      approval_timeout + "\n";
  writeFile(policies / "actions_risky.yaml", risky);
  return true;
}

}  // namespace orion::testing
