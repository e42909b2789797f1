// ORION's configuration: one YAML file (orion.yaml), overridable by ORION_* environment variables
// (which may also come from a .env file), loaded once at start into the typed, validated Config
// below. Every module owns one top-level key; `node`, `state_dir` and `log` are process-wide.
//
// Strict by design: an unknown or misspelt key is an error naming file:line and the nearest valid
// key; a wrong type or out-of-range value names file:line, the key and what was expected. Every
// field has a safe default (autonomy N0, embedded bus, API on loopback), so an empty file or no
// file at all is a valid configuration. See docs/configuration.md for every key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "common/status.h"

namespace orion::config {

enum class Autonomy { kN0, kN1, kN2, kN3 };

struct NodeConfig {
  std::string name;  // default: the host name; every event carries it
};

struct BusConfig {
  std::string url;  // empty: the embedded bus; "redis://[user:pass@]host:port[/db]": Redis
  std::string stream_prefix = "orion";
  int64_t max_stream_length = 10000;
  std::string when_full = "drop_oldest";  // drop_oldest | block (embedded bus only)
  Duration block_timeout = std::chrono::milliseconds(100);  // embedded bus only
  int64_t max_deliveries = 5;
  Duration redelivery_delay = std::chrono::milliseconds(50);
  // Redis bus only (see src/bus/redis_bus.h):
  Duration connect_timeout = std::chrono::seconds(2);
  Duration read_timeout = std::chrono::seconds(5);
  Duration reconnect_initial_delay = std::chrono::milliseconds(100);
  Duration reconnect_max_delay = std::chrono::seconds(5);
  int64_t local_queue_capacity = 10000;            // publishes kept while Redis is unreachable
  Duration claim_idle = std::chrono::seconds(30);  // pending this long → another consumer takes it
  std::string new_group_start = "end";             // end ("$") | beginning ("0")
  int64_t dedup_window = 20000;                    // document ids remembered per group and type
};

// bus.url split into its parts: "redis://[user[:password]@]host[:port][/db]", user and password
// percent-decoded. An empty user means the password (if any) is the default user's.
struct RedisUrl {
  std::string user;
  std::string password;
  std::string host;
  int port = 6379;
  int db = 0;
};

// kInvalidArgument ("expected ..., got '<the URL, password hidden>'") for anything else;
// "rediss://" is refused with the reason (no TLS in Debian 12's hiredis).
Result<RedisUrl> parseRedisUrl(std::string_view url);

// Warning and critical levels of one metric; a level that is absent is not checked.
struct ThresholdConfig {
  std::optional<double> warning;
  std::optional<double> critical;
};

struct HostSourceConfig {
  bool enabled = true;
  Duration interval = std::chrono::seconds(15);
  ThresholdConfig cpu_percent{90.0, 98.0};
  ThresholdConfig memory_percent{90.0, 97.0};
  ThresholdConfig disk_percent{90.0, 95.0};
  ThresholdConfig load_per_cpu{4.0, 8.0};  // 1-minute load average divided by the CPU count
  std::vector<std::string> mounts;         // empty: every real (block-device backed) filesystem
  std::string proc_root = "/proc";
  std::string sys_root = "/sys";
};

struct WatcherConfig {
  HostSourceConfig host;
};

struct GuardianConfig {
  Duration correlation_window = std::chrono::seconds(60);
  int64_t max_open_incidents = 10000;
};

struct BrainConfig {
  Autonomy autonomy_level = Autonomy::kN0;
  std::string policy_dir = "policies";
};

struct ApprovalConfig {
  Duration default_timeout = std::chrono::seconds(300);
  Duration max_timeout = std::chrono::seconds(3600);
};

struct CommanderConfig {
  bool dry_run = false;
};

struct MemoryConfig {
  std::string audit_file = "audit/audit.jsonl";  // relative paths are under state_dir
  Duration sync_interval = std::chrono::milliseconds(20);
};

struct ApiConfig {
  bool enabled = false;
  std::string listen = "127.0.0.1:9750";
};

struct Config {
  NodeConfig node;
  std::string state_dir;  // default: see defaultStateDir()
  LogSettings log;
  BusConfig bus;
  WatcherConfig watcher;
  GuardianConfig guardian;
  BrainConfig brain;
  ApprovalConfig approval;
  CommanderConfig commander;
  MemoryConfig memory;
  ApiConfig api;

  // Where the config came from, for messages: the YAML file ("" when none was given).
  std::string source_file;
};

struct LoadOptions {
  std::optional<std::filesystem::path> file;      // --config; absent: defaults only
  std::optional<std::filesystem::path> env_file;  // --env-file (KEY=VALUE lines)
  // The process environment; only ORION_* names are read. Passed in so tests control it.
  std::map<std::string, std::string> environment;
  std::optional<std::string> state_dir;  // --state-dir, wins over everything else
};

// Loads, overrides and validates. Precedence (lowest first): defaults, YAML file, .env file,
// process environment, command-line flags. Errors are kInvalidArgument with "file:line: key: what"
// messages; several errors are reported together, one per line.
Result<Config> loadConfig(const LoadOptions& options);

// The effective configuration as YAML (what `orion config show` prints).
std::string renderYaml(const Config& config);

// $ORION_STATE_DIR is handled by loadConfig; this is the fallback: /var/lib/orion for root,
// $XDG_STATE_HOME/orion, else $HOME/.local/state/orion, else ./orion-state.
std::string defaultStateDir(const std::map<std::string, std::string>& environment);

std::string_view toString(Autonomy level);

// The process environment as a map (for LoadOptions::environment).
std::map<std::string, std::string> processEnvironment();

}  // namespace orion::config
