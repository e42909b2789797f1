// Fuzz target: arbitrary bytes as one file of a policy directory, the rest being the shipped
// policies, and as a rule parameter template.
//
// Input: "<file name>\n<bytes>". When the first line names one of the policy files
// (actions_safe.yaml … exec_actions.yaml), the bytes replace that file; otherwise the whole input
// replaces rules.yaml. The seeds in corpus/policy are the shipped files in that form.
//
// Oracles, beyond "no crash, no hang, no sanitizer report": a policy that does not load says why
// on every line, naming a file of the directory; one that loads keeps failing closed (an action
// no list names is UNKNOWN, a destructive executor never makes anything SAFE, approval timeouts
// stay under their maximum) and summarises itself. Templates render or fail with a Status, and a
// compiled parameter template renders exactly what rendering its source renders.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "policy/policy.h"
#include "policy/template.h"
#include "testing/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using namespace orion;
using namespace orion::policy;

constexpr std::string_view kFiles[] = {kSafeFile,       kRiskyFile, kCooldownsFile,
                                       kApprovalsFile,  kRulesFile, kDiagnosticsFile,
                                       kExecActionsFile};

// A private copy of the shipped policies, made once per process (ORION_SOURCE_DIR is set by the
// build), that each input overwrites one file of.
const fs::path& directory() {
  static const testing::TempDir copy("orion-policy-fuzz");
  static const bool filled = [] {
    for (std::string_view name : kFiles) {
      fs::copy_file(fs::path(ORION_SOURCE_DIR) / "policies" / name, copy.path() / name);
    }
    return true;
  }();
  (void)filled;
  return copy.path();
}

void write(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void checkLoaded(const Policy& policy) {
  FUZZ_CHECK(policy.loaded(), "a policy that loads is not fail-closed");
  FUZZ_CHECK(policy.classify("no such action, ever") == SafetyClass::kUnknown,
             "an unlisted action is UNKNOWN");
  for (const auto& [name, entry] : policy.actions()) {
    FUZZ_CHECK(entry.classification != SafetyClass::kUnknown, "a listed action is classified");
    FUZZ_CHECK(policy.classify(name, DeclaredRisk::kDestructive) != SafetyClass::kSafe,
               "a destructive executor never makes an action SAFE");
    FUZZ_CHECK(policy.approvalTimeout(name) <= policy.approvals().max_timeout,
               "an approval timeout stays under max_timeout");
  }
  FUZZ_CHECK(!policy.summary().empty(), "a policy summarises itself");
  // Each step's parameters were compiled at load: they render what their source renders.
  auto lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "node" || name == "service_name" || name == "container_id") return "x1";
    return std::nullopt;
  };
  auto lent = [](std::string_view name) -> std::optional<std::string_view> {
    if (name == "node" || name == "service_name" || name == "container_id") return "x1";
    return std::nullopt;
  };
  for (const Rule& rule : policy.rules()) {
    for (const Step& step : rule.steps) {
      std::optional<Json> fast = step.compiled_parameters.render(lent);
      auto reference = renderParameters(step.parameters, lookup);
      FUZZ_CHECK(fast.has_value() == reference.isOk(), "a compiled step renders like its source");
      if (fast) FUZZ_CHECK(*fast == *reference, "a compiled step renders its source's parameters");
    }
  }
}

void fuzzTemplate(std::string_view text) {
  auto lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "service_name") return "web";
    return std::nullopt;
  };
  auto lent = [](std::string_view name) -> std::optional<std::string_view> {
    if (name == "service_name") return "web";
    return std::nullopt;
  };
  auto rendered = renderTemplate(text, lookup);
  auto names = placeholdersOf(text);
  if (names && names->empty()) {
    FUZZ_CHECK(rendered.isOk(), "a template without placeholders renders");
  }
  if (!names) FUZZ_CHECK(!rendered.isOk(), "a malformed template does not render");
  // A rule step's parameters are compiled once at load; rendering the compiled form must give
  // exactly what rendering the source gives.
  std::string value(text);
  Json parameters = {{"p", value}, {"list", {value, 3}}, {"nested", {{"k", value}}}};
  auto compiled = ParameterTemplate::compile(parameters);
  auto reference = renderParameters(parameters, lookup);
  if (!compiled) {
    FUZZ_CHECK(!names, "a template compiles when its placeholders parse");
    return;
  }
  std::optional<Json> fast = compiled->render(lent);
  FUZZ_CHECK(fast.has_value() == reference.isOk(), "compiled and source render alike");
  if (fast) FUZZ_CHECK(*fast == *reference, "compiled and source render the same parameters");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view target = kRulesFile;
  std::string_view bytes = input;
  if (size_t newline = input.find('\n'); newline != std::string_view::npos) {
    for (std::string_view name : kFiles) {
      if (input.substr(0, newline) == name) {
        target = name;
        bytes = input.substr(newline + 1);
      }
    }
  }
  const fs::path& dir = directory();
  write(dir / target, bytes);
  auto loaded = Policy::load(dir);
  if (loaded) {
    checkLoaded(**loaded);
  } else {
    const std::string message = loaded.status().message();
    FUZZ_CHECK(!message.empty(), "a refused policy says why");
    size_t start = 0;
    while (start < message.size()) {
      size_t end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      std::string_view line(message.data() + start, end - start);
      FUZZ_CHECK(line.rfind(dir.string(), 0) == 0, "every problem names its policy file");
      start = end + 1;
    }
  }
  // Put the shipped file back, so the next input changes one file only.
  fs::copy_file(fs::path(ORION_SOURCE_DIR) / "policies" / target, dir / target,
                fs::copy_options::overwrite_existing);
  fuzzTemplate(input.substr(0, 256));
  return 0;
}
