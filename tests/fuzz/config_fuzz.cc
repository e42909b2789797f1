// Fuzz target: arbitrary bytes as the YAML configuration file, and as a .env file.
//
// Oracles, beyond "no crash, no hang, no sanitizer report": every diagnostic names its source
// ("<name>:<line>: ..." for the file) on one line, and a configuration that loads renders to YAML
// that loads again to the same rendering.
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/consistency.h"
#include "config/defaults.h"
#include "config/diagnostics.h"
#include "config/env_source.h"
#include "config/schema.h"
#include "config/yaml_source.h"
#include "fuzz_check.h"

namespace {

using namespace orion;
using namespace orion::config;

const Schema& schema() {
  static const Schema instance;
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::map<std::string, std::string> environment = {{"HOME", "/home/fuzz"}};
  {
    // As loadConfig does it: defaults, the file, then the checks spanning two keys.
    Config config = defaultConfig(environment);
    Diagnostics diagnostics;
    applyYamlText(schema(), text, "fuzz.yaml", config, diagnostics);
    checkConsistency(config, diagnostics);
    for (const auto& message : diagnostics.errors()) {
      FUZZ_CHECK(message.rfind("fuzz.yaml", 0) == 0 || message.find(": ") != std::string::npos,
                 "a YAML error names the file, or the keys a consistency check spans");
      FUZZ_CHECK(message.find('\n') == std::string::npos, "an error is one line");
    }
    if (!diagnostics.hasErrors()) {
      std::string rendered = renderYaml(config);
      Config again = defaultConfig(environment);
      Diagnostics second;
      applyYamlText(schema(), rendered, "rendered.yaml", again, second);
      checkConsistency(again, second);
      FUZZ_CHECK(!second.hasErrors(), "a rendered configuration loads again");
      FUZZ_CHECK(renderYaml(again) == rendered, "rendering is stable");
    }
  }
  {
    Config config = defaultConfig(environment);
    Diagnostics diagnostics;
    auto entries = parseEnvText(text, "fuzz.env", diagnostics);
    applyEnvironment(schema(), entries, config, diagnostics);
    for (const auto& message : diagnostics.errors()) {
      FUZZ_CHECK(message.rfind("fuzz.env", 0) == 0, "a .env error names the file");
    }
  }
  return 0;
}
