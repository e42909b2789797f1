// Shared by the config tests: write a YAML/.env file into a temporary directory, load it, and
// get at the error text.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "config/config.h"
#include "testing/temp_dir.h"

namespace orion::config {

class ConfigFileTest : public ::testing::Test {
 protected:
  // Loads `yaml` as orion.yaml with `environment` (HOME is always set, so defaults are stable).
  Result<Config> load(std::string_view yaml, std::map<std::string, std::string> environment = {}) {
    dir_.write("orion.yaml", yaml);
    LoadOptions options;
    options.file = file_;
    environment.emplace("HOME", "/home/test");
    options.environment = std::move(environment);
    return loadConfig(options);
  }

  // The error message of a load that must fail.
  std::string errors(std::string_view yaml, std::map<std::string, std::string> environment = {}) {
    auto result = load(yaml, std::move(environment));
    EXPECT_FALSE(result.isOk()) << "expected the config to be rejected";
    if (result.isOk()) return "";
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    return result.status().message();
  }

  // "<dir>/orion.yaml:<line>: "
  std::string at(int line) const { return file_.string() + ":" + std::to_string(line) + ": "; }

  testing::TempDir dir_;
  std::filesystem::path file_ = dir_.path() / "orion.yaml";
};

// Number of lines in a multi-error message.
inline size_t lineCount(const std::string& message) {
  return message.empty()
             ? 0
             : 1 + static_cast<size_t>(std::count(message.begin(), message.end(), '\n'));
}

}  // namespace orion::config
