#include "daemon/supervisor.h"

#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "api/api.h"
#include "approval/approval.h"
#include "brain/brain.h"
#include "bus/embedded_bus.h"
#include "bus/redis_bus.h"
#include "commander/commander.h"
#include "common/process_metrics.h"
#include "contracts/registry.h"
#include "control/client.h"
#include "guardian/guardian.h"
#include "memory/memory.h"
#include "watcher/watcher.h"

namespace orion::daemon {

namespace {

namespace fs = std::filesystem;

double millisBetween(MonoTime from, MonoTime to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

std::string joinNames(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// The Redis bus's options from the `bus` section (the URL was checked when the config loaded;
// it is parsed again here so a Config built in code gets the same errors).
Result<bus::RedisBusOptions> redisBusOptions(const config::Config& config) {
  const config::BusConfig& c = config.bus;
  auto endpoint = redisEndpointFor(c);
  if (!endpoint) return endpoint.status();
  bus::RedisBusOptions options;
  options.endpoint = *endpoint;
  options.stream_prefix = c.stream_prefix;
  options.max_stream_length = static_cast<size_t>(std::max<int64_t>(1, c.max_stream_length));
  options.max_deliveries = static_cast<int>(std::max<int64_t>(1, c.max_deliveries));
  options.redelivery_delay = c.redelivery_delay;
  options.reconnect = {c.reconnect_initial_delay, c.reconnect_max_delay};
  options.local_queue_capacity = static_cast<size_t>(std::max<int64_t>(1, c.local_queue_capacity));
  options.claim_idle = c.claim_idle;
  options.new_groups_from_beginning = c.new_group_start == "beginning";
  options.dedup_window = static_cast<size_t>(std::max<int64_t>(1, c.dedup_window));
  options.state_dir = (fs::path(config.state_dir) / "bus").string();
  options.node = config.node.name;
  return options;
}

bus::EmbeddedBusOptions embeddedBusOptions(const config::BusConfig& config) {
  bus::EmbeddedBusOptions options;
  options.stream_prefix = config.stream_prefix;
  options.max_stream_length = static_cast<size_t>(std::max<int64_t>(1, config.max_stream_length));
  options.when_full =
      config.when_full == "block" ? bus::WhenFull::kBlock : bus::WhenFull::kDropOldest;
  options.block_timeout = config.block_timeout;
  options.max_deliveries = static_cast<int>(std::max<int64_t>(1, config.max_deliveries));
  options.redelivery_delay = config.redelivery_delay;
  return options;
}

// The state directory holds the audit trail: only its owner may read it.
Status createStateDir(const std::string& dir) {
  if (dir.empty()) return invalidArgument("state_dir is empty");
  std::error_code error;
  fs::path path(dir);
  if (fs::exists(path, error)) {
    if (!fs::is_directory(path, error)) {
      return failedPrecondition("state_dir " + dir + " exists and is not a directory");
    }
    return Status::ok();
  }
  fs::create_directories(path, error);
  if (error) return unavailable("creating state_dir " + dir + ": " + error.message());
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, error);
  if (error) return unavailable("setting mode 0700 on " + dir + ": " + error.message());
  return Status::ok();
}

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

const std::vector<std::string_view>& moduleNames() {
  static const std::vector<std::string_view> kNames = {"memory",   "commander", "approval", "brain",
                                                       "guardian", "watcher",   "api"};
  return kNames;
}

Status checkModuleNames(const std::vector<std::string>& names) {
  std::vector<std::string_view> unknown;
  for (const auto& name : names) {
    const auto& known = moduleNames();
    if (std::find(known.begin(), known.end(), name) == known.end()) unknown.push_back(name);
  }
  if (unknown.empty()) return Status::ok();
  std::string quoted;
  for (auto name : unknown) quoted += (quoted.empty() ? "'" : ", '") + std::string(name) + "'";
  return invalidArgument("unknown module " + quoted +
                         " (valid modules: " + joinNames(moduleNames()) + ")");
}

ModuleFactories builtinModules() {
  ModuleFactories factories;
  factories["memory"] = [](const config::Config& c, ModuleContext context) {
    return memory::makeMemory(c.memory, c.state_dir, context);
  };
  factories["commander"] = [](const config::Config& c, ModuleContext context) {
    return commander::makeCommander(c, context);
  };
  factories["approval"] = [](const config::Config& c, ModuleContext context) {
    return approval::makeApprovalCoordinator(c.approval, c.brain.policy_dir, context);
  };
  factories["brain"] = [](const config::Config& c, ModuleContext context) {
    return brain::makeBrain(c.brain, context);
  };
  factories["guardian"] = [](const config::Config& c, ModuleContext context) {
    return guardian::makeGuardian(c.guardian, context);
  };
  factories["watcher"] = [](const config::Config& c, ModuleContext context) {
    return watcher::makeWatcher(c.watcher, context);
  };
  factories["api"] = [](const config::Config& c, ModuleContext context) {
    return api::makeApiServer(c, context);
  };
  return factories;
}

Supervisor::Supervisor(config::Config config, RunOptions options, const Clock& clock,
                       ModuleFactories factories)
    : config_(std::move(config)),
      options_(std::move(options)),
      clock_(clock),
      factories_(std::move(factories)),
      log_(makeLogger("daemon")) {
  addProcessMetrics(metrics_);
  if (config_.node.name.empty()) config_.node.name = hostName();
}

Supervisor::~Supervisor() {
  if (!started_.empty()) {
    options_.shutdown_budget = std::chrono::milliseconds(0);
    stop().ignore();  // destruction is not the place to report an overrun
  }
}

bool Supervisor::selected(std::string_view name) const {
  if (name == "api" && !config_.api.enabled) return false;
  if (options_.modules.empty()) return true;
  return std::find(options_.modules.begin(), options_.modules.end(), name) !=
         options_.modules.end();
}

ModuleContext Supervisor::context() {
  return ModuleContext{
      *bus_,           clock_, metrics_, config_.node.name, config_.state_dir, &control_router_,
      &control_router_};
}

Status Supervisor::build() {
  Result<bus::RedisBusOptions> redis = bus::RedisBusOptions{};
  if (!config_.bus.url.empty()) {
    redis = redisBusOptions(config_);
    if (!redis) return redis.status();
  }
  ORION_RETURN_IF_ERROR(checkModuleNames(options_.modules));
  ORION_RETURN_IF_ERROR(createStateDir(config_.state_dir));

  auto contracts = contracts::ContractRegistry::loadEmbedded();
  if (!contracts) return contracts.status().withContext("loading the contract registry");
  contracts_ = *contracts;
  if (config_.bus.url.empty()) {
    bus_ = bus::makeEmbeddedBus(embeddedBusOptions(config_.bus), *contracts, clock_, metrics_);
  } else {
    redis_control_options_.emplace();
    redis_control_options_->endpoint = redis->endpoint;
    redis_control_options_->prefix = redis->stream_prefix;
    redis_control_options_->node = config_.node.name;
    redis_control_options_->reconnect = redis->reconnect;
    auto made = bus::makeRedisBus(std::move(redis).value(), *contracts, clock_, metrics_);
    if (!made) return made.status().withContext("connecting the Redis bus (bus.url)");
    bus_ = std::move(made).value();
  }

  for (auto name : moduleNames()) {
    if (!selected(name)) continue;
    auto factory = factories_.find(name);
    if (factory == factories_.end()) continue;  // tests may provide only some modules
    auto service = factory->second(config_, context());
    if (!service) return internalError("building module " + std::string(name) + " failed");
    entries_.push_back(Entry{std::string(name), std::move(service), false});
  }
  return Status::ok();
}

void Supervisor::addObserver(std::unique_ptr<Service> observer) {
  std::string name(observer->name());
  // Observers start first: insert after the observers already added, before the modules.
  auto first_module =
      std::find_if(entries_.begin(), entries_.end(), [](const Entry& e) { return !e.observer; });
  entries_.insert(first_module, Entry{std::move(name), std::move(observer), true});
}

Status Supervisor::start() {
  for (Entry& entry : entries_) {
    MonoTime begin = clock_.monotonic();
    Status status = entry.service->start();
    double took = millisBetween(begin, clock_.monotonic());
    if (!status.isOk()) {
      log_->error("module {} failed to start after {:.1f} ms: {}", entry.name, took,
                  status.message());
      stop().ignore();  // the start failure is what the caller must see
      return status.withContext("starting " + entry.name);
    }
    log_->info("module {} started in {:.1f} ms", entry.name, took);
    started_.push_back(&entry);
  }
  if (options_.control_socket) {
    control_server_ = std::make_unique<control::Server>(
        control::ServerOptions{control::socketPathFor(config_.state_dir)}, control_router_, clock_,
        metrics_);
    Status served = control_server_->start();
    if (served.code() == StatusCode::kFailedPrecondition) {
      // Another daemon serves this state_dir: two ORIONs must not share their safety state.
      control_server_.reset();
      stop().ignore();
      return served.withContext("starting the control socket");
    }
    if (!served.isOk()) {
      // ORION still observes and decides; only runtime admin commands are unavailable.
      log_->error(
          "control socket unavailable (orion autonomy/policy commands will not reach "
          "this daemon): {}",
          served.message());
      control_server_.reset();
    } else {
      log_->info("control socket {} (ops: {})", control_server_->socketPath().string(),
                 fmt::join(control_router_.ops(), ", "));
    }
    if (redis_control_options_ && bus::servesThroughRedis(control_router_.ops())) {
      redis_control_ = std::make_unique<bus::RedisControlServer>(
          *redis_control_options_, control_router_, *contracts_, *bus_, clock_, metrics_,
          makeLogger("control"));
      redis_control_->start();
      log_->info("control through Redis on {} (read-only operations and signed approval answers)",
                 bus::controlRequestsKey(redis_control_options_->prefix));
    }
  }
  return Status::ok();
}

Status Supervisor::stop() {
  // First, so no admin request reaches a module that is stopping.
  if (redis_control_) {
    redis_control_->stop();
    redis_control_.reset();
  }
  if (control_server_) {
    control_server_->stop();
    control_server_.reset();
  }
  if (started_.empty()) return Status::ok();
  MonoTime begin = clock_.monotonic();
  MonoTime budget_end = begin + options_.shutdown_budget;

  // The reverse of the start order puts the API first, then the pipeline from the watcher down
  // to memory; the observers, which only watch, go last so they see the final documents.
  std::vector<Entry*> order;
  for (auto it = started_.rbegin(); it != started_.rend(); ++it) {
    if (!(*it)->observer) order.push_back(*it);
  }
  for (Entry* entry : started_) {
    if (entry->observer) order.push_back(entry);
  }
  started_.clear();

  std::string slowest;
  double slowest_ms = -1;
  for (size_t n = 0; n < order.size(); ++n) {
    MonoTime now = clock_.monotonic();
    auto left = std::max(budget_end - now, MonoTime::duration::zero());
    order[n]->service->stop(now + left / static_cast<int64_t>(order.size() - n));
    double took = millisBetween(now, clock_.monotonic());
    log_->info("module {} stopped in {:.1f} ms", order[n]->name, took);
    if (took > slowest_ms) {
      slowest_ms = took;
      slowest = order[n]->name;
    }
  }

  double total = millisBetween(begin, clock_.monotonic());
  if (clock_.monotonic() > budget_end) {
    return {
        StatusCode::kDeadlineExceeded,
        fmt::format("shutdown took {:.0f} ms, over its budget of {} ms (slowest: {}, {:.0f} ms)",
                    total, options_.shutdown_budget.count(), slowest, slowest_ms)};
  }
  log_->info("shutdown finished in {:.1f} ms", total);
  return Status::ok();
}

std::vector<std::string> Supervisor::running() const {
  std::vector<std::string> names;
  for (const Entry* entry : started_) names.push_back(entry->name);
  return names;
}

Result<bus::RedisEndpoint> redisEndpointFor(const config::BusConfig& bus) {
  Result<config::RedisUrl> url = config::parseRedisUrl(bus.url);
  if (!url) return url.status().withContext("bus.url");
  bus::RedisEndpoint endpoint;
  endpoint.host = url->host;
  endpoint.port = url->port;
  endpoint.socket = url->socket;
  endpoint.user = url->user;
  endpoint.password = url->password;
  endpoint.db = url->db;
  endpoint.connect_timeout = bus.connect_timeout;
  endpoint.read_timeout = bus.read_timeout;
  return endpoint;
}

}  // namespace orion::daemon
