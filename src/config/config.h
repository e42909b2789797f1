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
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "common/status.h"
#include "config/instance.h"

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
  std::string socket;  // unix:// URLs: the socket's absolute path (host and port unused)
};

// redis://[user:password@]host[:port][/db], or unix://[user:password@]/path/to/redis.sock[?db=N]
// for a Redis on the same host reached through its unix socket (no TCP; the socket file's
// permissions decide who may connect). kInvalidArgument ("expected ..., got '<the URL, password
// hidden>'") for anything else; "rediss://" is refused with the reason (no TLS in Debian 12's
// hiredis).
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
  ThresholdConfig swap_percent{80.0, 95.0};
  ThresholdConfig disk_percent{90.0, 95.0};
  ThresholdConfig inode_percent{90.0, 95.0};
  ThresholdConfig load_per_cpu{4.0, 8.0};  // 1-minute load average divided by the CPU count
  ThresholdConfig temperature_celsius{85.0, 95.0};
  ThresholdConfig net_errors_per_second{1.0, 10.0};  // rx + tx errors of one interface
  // Hysteresis: a level is announced after this many consecutive samples at it (fire_after when
  // rising, clear_after when falling), so a value hovering at a threshold cannot cause a storm.
  int64_t fire_after = 2;
  int64_t clear_after = 3;
  std::vector<std::string> mounts;      // empty: every real (block-device backed) filesystem
  std::vector<std::string> interfaces;  // empty: every interface but loopback
  std::string proc_root = "/proc";
  std::string sys_root = "/sys";
};

// What every configured instance of `watcher.sources` has, whatever its type.
struct SourceCommonConfig {
  Duration interval = std::chrono::seconds(30);
  std::map<std::string, std::string> labels;  // added to the tags of every event it publishes
};

// A probe turns N consecutive failures into service_down and M successes into service_up.
struct ProbeCommonConfig : SourceCommonConfig {
  std::string service_name;  // data.service_name of its events; default: the instance name
  int64_t fire_after = 2;
  int64_t clear_after = 1;
};

// `type: containers`: the Docker Engine API (Docker's or podman's) on a unix socket.
struct ContainersSourceConfig : SourceCommonConfig {
  std::string socket;                      // "": autodetected (see docker/socket.h)
  std::vector<std::string> select_labels;  // "key" or "key=value"; any one must match
  std::vector<std::string> select_names;   // glob patterns on the name; any one must match
  Duration request_timeout = std::chrono::seconds(5);
  bool exit_watch = true;  // watch main processes by pidfd where they are visible
};

// `type: http`.
struct HttpProbeConfig : ProbeCommonConfig {
  std::string url;
  std::string method = "GET";
  std::vector<std::string> expect_status{"2xx", "3xx"};  // codes (204) or classes (2xx)
  std::string body_contains;
  Duration timeout = std::chrono::seconds(5);
  Duration max_latency = Duration::zero();  // 0: not checked; slower answers count as failures
  bool verify_tls = true;
};

// `type: tcp`.
struct TcpProbeConfig : ProbeCommonConfig {
  std::string host = "127.0.0.1";
  int64_t port = 0;  // required
  Duration timeout = std::chrono::seconds(3);
};

// `type: process`: a process by name (as /proc/<pid>/comm shows it) or by pidfile.
struct ProcessCheckConfig : ProbeCommonConfig {
  std::string process_name;
  std::string pidfile;
  int64_t min_count = 1;
  std::string proc_root = "/proc";
};

// `type: prometheus`: one instant PromQL query, each result series compared with thresholds
// (mode threshold) or read as up/down (mode service: a value below 1 is down).
struct PrometheusSourceConfig : SourceCommonConfig {
  std::string url = "http://127.0.0.1:9090";
  std::string query;               // required
  std::string mode = "threshold";  // threshold | service
  ThresholdConfig threshold;       // mode threshold: warning/critical levels
  bool below = false;              // mode threshold: fire when the value is at or below a level
  std::string resource_label = "instance";  // the series label naming the resource/service
  std::string metric = "value";             // data.metric of its threshold events
  std::string unit;
  Duration timeout = std::chrono::seconds(5);
  int64_t fire_after = 1;
  int64_t clear_after = 1;
};

using SourceSettings = std::variant<ContainersSourceConfig, HttpProbeConfig, TcpProbeConfig,
                                    ProcessCheckConfig, PrometheusSourceConfig>;
using SourceInstanceConfig = Instance<SourceSettings>;

struct WatcherConfig {
  HostSourceConfig host;                      // the built-in host source (`watcher.host`)
  std::vector<SourceInstanceConfig> sources;  // `watcher.sources`: configured instances
};

struct GuardianConfig {
  Duration correlation_window = std::chrono::seconds(60);  // node correlation, update coalescing
  int64_t max_open_incidents = 10000;
  int64_t flap_threshold = 3;  // opens within flap_window → repeated_failures
  Duration flap_window = std::chrono::minutes(10);
  int64_t node_correlation_threshold = 3;  // incidents on one node within the window → one
  int64_t max_resolved_fingerprints = 10000;
  int64_t max_remembered_events = 10000;
};

struct BrainConfig {
  Autonomy autonomy_level = Autonomy::kN0;
  std::string policy_dir = "policies";
  Duration recheck_interval = std::chrono::seconds(1);  // how often blocked incidents are re-read
  int64_t max_tracked_incidents = 10000;
};

struct ApprovalConfig {
  Duration default_timeout = std::chrono::seconds(300);
  Duration max_timeout = std::chrono::seconds(3600);
  // How long an approve/force answer stays usable by the commander (never past max_timeout).
  Duration answer_validity = std::chrono::seconds(300);
  // The admin key (signing/admin_key.h); relative: under state_dir. "": no answer is accepted.
  std::string admin_key_file;
};

// `commander.notifications`: where send_notification delivers (docs/configuration.md).
struct NotificationCommonConfig {
  std::string url;         // required: http:// or https://
  std::string token_file;  // "": no Authorization; else mode 0600, "Bearer <contents>"
  Duration timeout = std::chrono::seconds(10);
};
struct WebhookChannelConfig : NotificationCommonConfig {};  // POST a JSON document
struct NtfyChannelConfig : NotificationCommonConfig {       // POST the message, ntfy headers
  std::vector<std::string> tags;                            // the Tags header (plus severity)
  std::string priority;  // "": from the severity (critical → urgent …); else 1–5 or a name
};
using NotificationSettings = std::variant<WebhookChannelConfig, NtfyChannelConfig>;
using NotificationChannelConfig = Instance<NotificationSettings>;

struct CommanderConfig {
  bool dry_run = false;
  std::string docker_socket;                             // "": restart_container cannot run
  Duration action_timeout = std::chrono::seconds(60);    // one action, every attempt included
  Duration verify_timeout = std::chrono::seconds(30);    // a restarted container must be up by then
  int64_t max_attempts = 2;                              // attempts of a retryable failure
  int64_t execution_workers = 4;                         // actions run side by side
  std::string systemctl = "systemctl";                   // restart_service: path or name in PATH
  std::vector<NotificationChannelConfig> notifications;  // send_notification's channels
};

// The audit trail (docs/audit_log_format.md). Sizes in MiB; 0 for a retention bound means none.
struct MemoryConfig {
  std::string audit_dir = "audit";  // segments, head, checkpoint, index; relative: under state_dir
  Duration sync_interval = std::chrono::milliseconds(10);  // longest wait for a batch to fill
  int64_t sync_batch_records = 4096;                       // a batch this full is written at once
  int64_t segment_max_mib = 64;                            // rotate when a segment would exceed it
  bool rotate_daily = true;                                // and at each UTC day boundary
  Duration retention_max_age = Duration(0);                // delete segments older than this
  int64_t retention_max_mib = 0;                           // delete oldest segments beyond this
  std::string hmac_key_file;                               // "": SHA-256 chain without a key
  int64_t dedup_window = 65536;                            // recent document ids remembered
};

struct ApiConfig {
  bool enabled = false;
  std::string listen = "127.0.0.1:9750";
  // The admin token's file (mode 0600; relative: under state_dir). Empty: no token, so no admin
  // endpoint works and the API refuses a non-loopback listen address.
  std::string admin_token_file;
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
