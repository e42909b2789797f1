// What loadConfig learns while it reads its sources: every error (all of them, not just the
// first) and, for every key that a source set, where it was set — so a check that spans two keys
// (warning ≤ critical) can point at the line that made it fail. Internal to the config module.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace orion::config {

class Diagnostics {
 public:
  // Records "<location>: <message>", e.g. "orion.yaml:12: watcher.host.interval: expected …".
  // Messages quote what the user wrote (a misspelt key, a bad value), which may hold line breaks
  // or other control characters: they are escaped ("\n", "\x05"), so every error stays one line.
  void error(std::string_view location, std::string_view message) {
    errors_.push_back(oneLine(std::string(location) + ": " + std::string(message)));
  }

  // Records a message that already carries its location (e.g. "orion.yaml: config file not found").
  void error(std::string message) { errors_.push_back(oneLine(std::move(message))); }

  // Remembers that `path` was last set at `location` ("orion.yaml:12", ".env:3: ORION_X").
  void setOrigin(const std::string& path, std::string location) {
    origins_[path] = Origin{std::move(location), ++sequence_};
  }

  // Where `path` was last set and in which order sources set it (0 and "defaults" when never).
  std::string_view originOf(const std::string& path) const {
    auto it = origins_.find(path);
    return it == origins_.end() ? std::string_view("defaults") : it->second.location;
  }
  int sequenceOf(const std::string& path) const {
    auto it = origins_.find(path);
    return it == origins_.end() ? 0 : it->second.sequence;
  }

  bool hasErrors() const { return !errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }

  // All errors, one per line.
  std::string joined() const {
    std::string out;
    for (const auto& e : errors_) out += (out.empty() ? "" : "\n") + e;
    return out;
  }

 private:
  static std::string oneLine(std::string text) {
    auto control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; };
    if (std::none_of(text.begin(), text.end(), control)) return text;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (char c : text) {
      if (!control(c)) {
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c == '\r') {
        out += "\\r";
      } else {
        auto byte = static_cast<unsigned char>(c);
        out += {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
      }
    }
    return out;
  }

  struct Origin {
    std::string location;
    int sequence = 0;
  };
  std::vector<std::string> errors_;
  std::map<std::string, Origin> origins_;
  int sequence_ = 0;
};

}  // namespace orion::config
