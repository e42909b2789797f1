#include "common/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

#include <mutex>

#include "common/json.h"

namespace orion {

namespace {

// %* in the JSON pattern: the message, escaped as a JSON string body.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string quoted = Json(std::string(msg.payload.data(), msg.payload.size()))
                             .dump(-1, ' ', false, Json::error_handler_t::replace);
    // Strip the surrounding quotes: the pattern supplies them.
    dest.append(quoted.data() + 1, quoted.data() + quoted.size() - 1);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

struct LoggingState {
  std::mutex mutex;
  spdlog::sink_ptr sink;
  spdlog::level::level_enum level = spdlog::level::info;
};

LoggingState& state() {
  static LoggingState* s = new LoggingState();  // never destroyed: loggers outlive statics
  return *s;
}

spdlog::sink_ptr makeSink(LogFormat format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  bool json = format == LogFormat::kJson || (format == LogFormat::kAuto && !isatty(STDERR_FILENO));
  if (json) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","logger":"%n","msg":"%*"})");
    sink->set_formatter(std::move(formatter));
  } else {
    sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
  }
  return sink;
}

}  // namespace

Status checkLogLevel(std::string_view level) {
  static constexpr std::string_view kLevels[] = {"trace", "debug",    "info", "warn",
                                                 "error", "critical", "off"};
  for (auto known : kLevels) {
    if (level == known) return Status::ok();
  }
  return invalidArgument("unknown log level '" + std::string(level) +
                         "' (expected trace, debug, info, warn, error, critical or off)");
}

Status configureLogging(const LogSettings& settings) {
  ORION_RETURN_IF_ERROR(checkLogLevel(settings.level));
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.sink = makeSink(settings.format);
  s.level = spdlog::level::from_str(settings.level);
  spdlog::apply_all([&](const Logger& logger) {
    logger->sinks().clear();
    logger->sinks().push_back(s.sink);
    logger->set_level(s.level);
  });
  return Status::ok();
}

Logger makeLogger(std::string_view name) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (auto existing = spdlog::get(std::string(name))) return existing;
  if (!s.sink) s.sink = makeSink(LogFormat::kAuto);
  auto logger = std::make_shared<spdlog::logger>(std::string(name), s.sink);
  logger->set_level(s.level);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace orion
