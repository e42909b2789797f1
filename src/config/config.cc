#include "config/config.h"

#include "config/consistency.h"
#include "config/defaults.h"
#include "config/diagnostics.h"
#include "config/env_source.h"
#include "config/schema.h"
#include "config/yaml_source.h"

extern char** environ;

namespace orion::config {

Result<Config> loadConfig(const LoadOptions& options) {
  Schema schema;
  Diagnostics diagnostics;
  Config config = defaultConfig(options.environment);
  // Lowest precedence first: each source overwrites what the previous ones set.
  if (options.file) {
    config.source_file = options.file->string();
    applyYamlFile(schema, *options.file, config, diagnostics);
  }
  if (options.env_file) {
    applyEnvironment(schema, readEnvFile(*options.env_file, diagnostics), config, diagnostics);
  }
  applyEnvironment(schema, environmentEntries(options.environment), config, diagnostics);
  if (options.state_dir) {
    const Field* field = schema.find("state_dir");
    Status status = field->assign(RawValue::scalar(*options.state_dir), config);
    if (status) {
      diagnostics.setOrigin(field->path, "--state-dir");
    } else {
      diagnostics.error("--state-dir", field->path + ": " + status.message());
    }
  }
  checkConsistency(config, diagnostics);
  if (diagnostics.hasErrors()) return invalidArgument(diagnostics.joined());
  return config;
}

std::string_view toString(Autonomy level) {
  switch (level) {
    case Autonomy::kN0:
      return "N0";
    case Autonomy::kN1:
      return "N1";
    case Autonomy::kN2:
      return "N2";
    case Autonomy::kN3:
      return "N3";
  }
  return "N0";
}

std::map<std::string, std::string> processEnvironment() {
  std::map<std::string, std::string> environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    environment.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return environment;
}

}  // namespace orion::config
