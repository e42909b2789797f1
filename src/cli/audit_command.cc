// `orion audit verify|reindex|query|tail|export`: the audit trail of a state directory, read
// without a running daemon (and safely while one writes). Every subcommand takes --output json;
// verify, reindex and export show progress on a terminal (stderr).
//
// Exit codes: 0 success (verify: the trail verifies); 1 the trail does not verify, or an I/O
// error; 2 bad usage or configuration.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "common/clock.h"
#include "common/time.h"
#include "config/config.h"
#include "daemon/signals.h"
#include "memory/memory.h"

namespace orion::cli {

namespace {

using memory::AuditRecord;

struct AuditFlags {
  std::string output = "text";  // text | json
  std::string trail_dir;        // --trail: a trail directory, instead of the config's
  std::string key_file;         // --key-file
  // verify
  bool deep = false;
  // query / export filters
  std::string since, until, node, service, incident, latest, latest_outcome;
  std::vector<std::string> types;
  uint64_t after_seq = 0;
  size_t limit = 100;
  bool newest = false;
  bool open_incidents = false;
  bool pending_approvals = false;
  bool actions_without_outcome = false;
  // tail
  size_t lines = 10;
  bool follow = false;
  // export
  std::string format = "jsonl";
  std::string file;
};

bool json(const AuditFlags& flags) { return flags.output == "json"; }

int fail(const AuditFlags& flags, std::string_view command, const Status& status,
         int code = kExitFailure) {
  if (json(flags)) {
    std::cout << dumpJson(Json{{"ok", false}, {"error", status.message()}}) << "\n";
  } else {
    std::cerr << "orion audit " << command << ": " << status.message() << "\n";
  }
  return code;
}

// Progress on stderr when it is a terminal, at most five times a second.
class ProgressLine {
 public:
  explicit ProgressLine(std::string label)
      : label_(std::move(label)), enabled_(isatty(STDERR_FILENO) != 0) {}
  ~ProgressLine() { finish(); }

  memory::Progress callback() {
    if (!enabled_) return nullptr;
    started_ = clock_.monotonic();
    return [this](uint64_t done, uint64_t total) { show(done, total); };
  }

  void finish() {
    if (shown_) std::cerr << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  void show(uint64_t done, uint64_t total) {
    MonoTime now = clock_.monotonic();
    if (shown_ && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    shown_ = true;
    double seconds = std::chrono::duration<double>(now - started_).count();
    double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
    char line[160];
    if (total > 0) {
      std::snprintf(
          line, sizeof line, "\r%s: %llu / ~%llu records (%.0f%%), %.0f/s\033[K", label_.c_str(),
          static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
          100.0 * static_cast<double>(std::min(done, total)) / static_cast<double>(total), rate);
    } else {
      std::snprintf(line, sizeof line, "\r%s: %llu records, %.0f/s\033[K", label_.c_str(),
                    static_cast<unsigned long long>(done), rate);
    }
    std::cerr << line << std::flush;
  }

  std::string label_;
  bool enabled_;
  bool shown_ = false;
  RealClock clock_;
  MonoTime started_{};
  MonoTime last_{};
};

// The trail directory and key: --trail/--key-file, else the configuration (--config, ORION_*,
// --state-dir), as `orion run` would use them.
Result<memory::TrailOptions> trailOptions(const GlobalOptions& global, const AuditFlags& flags) {
  memory::TrailOptions trail;
  std::string key_file = flags.key_file;
  if (!flags.trail_dir.empty()) {
    trail.dir = flags.trail_dir;
  } else {
    config::LoadOptions load;
    if (!global.config_file.empty()) load.file = global.config_file;
    if (!global.env_file.empty()) load.env_file = global.env_file;
    if (!global.state_dir.empty()) load.state_dir = global.state_dir;
    load.environment = config::processEnvironment();
    Result<config::Config> loaded = config::loadConfig(load);
    if (!loaded) return loaded.status();
    std::string state_dir =
        loaded->state_dir.empty() ? config::defaultStateDir(load.environment) : loaded->state_dir;
    trail.dir = memory::auditDir(loaded->memory, state_dir);
    if (key_file.empty()) key_file = loaded->memory.hmac_key_file;
  }
  if (!key_file.empty()) {
    Result<std::string> key = memory::loadHmacKey(key_file);
    if (!key) return key.status();
    trail.key = std::move(key).value();
  }
  return trail;
}

// An RFC 3339 time, or a duration meaning that long ago ("15m", "2d").
Result<WallTime> timeArgument(std::string_view text, const Clock& clock) {
  if (Result<WallTime> at = parseRfc3339(text); at) return at;
  if (Result<Duration> ago = parseDuration(text); ago) return clock.now() - *ago;
  return invalidArgument("'" + std::string(text) +
                         "' is neither an RFC 3339 time (2026-01-14T12:00:00Z) nor a duration "
                         "(15m, 2h, 7d)");
}

std::string stringField(const Json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// One line per record: seq, time, node, type, id and what the document says in a few words.
std::string textLine(const AuditRecord& r) {
  const Json& d = r.document;
  std::string what;
  for (const char* key : {"event_type", "incident_type", "decision_type", "action_type", "status",
                          "state", "severity", "decision", "kind", "reason"}) {
    std::string value = stringField(d, key);
    if (value.empty()) continue;
    if (std::string_view(key) == "reason" && !what.empty()) continue;
    what += (what.empty() ? "" : " ") + value;
  }
  char seq[24];
  std::snprintf(seq, sizeof seq, "%8llu", static_cast<unsigned long long>(r.seq));
  return std::string(seq) + "  " + r.recorded_at + "  " + r.node + "  " + r.type + "  " +
         (r.id.empty() ? "-" : r.id) + "  " + what;
}

void printRecords(const AuditFlags& flags, const std::vector<AuditRecord>& records) {
  if (json(flags)) {
    Json out = Json::array();
    for (const AuditRecord& r : records) out.push_back(memory::toJson(r));
    std::cout << dumpJson(Json{{"ok", true}, {"count", records.size()}, {"records", out}}) << "\n";
    return;
  }
  for (const AuditRecord& r : records) std::cout << textLine(r) << "\n";
}

Result<std::unique_ptr<memory::AuditReader>> openReader(const memory::TrailOptions& trail,
                                                        ProgressLine& progress) {
  memory::AuditReader::Options options;
  options.progress = progress.callback();
  Result<std::unique_ptr<memory::AuditReader>> reader = memory::AuditReader::open(trail, options);
  progress.finish();
  if (reader && (*reader)->lag() > 0) {
    std::cerr << "note: the index is " << (*reader)->lag()
              << " records behind the log; results may miss the newest\n";
  }
  return reader;
}

Result<memory::QueryFilter> filterOf(const AuditFlags& flags) {
  RealClock clock;
  memory::QueryFilter filter;
  if (!flags.since.empty()) {
    Result<WallTime> since = timeArgument(flags.since, clock);
    if (!since) return since.status().withContext("--since");
    filter.since = *since;
  }
  if (!flags.until.empty()) {
    Result<WallTime> until = timeArgument(flags.until, clock);
    if (!until) return until.status().withContext("--until");
    filter.until = *until;
  }
  filter.types = flags.types;
  if (!flags.node.empty()) filter.node = flags.node;
  if (!flags.service.empty()) filter.service = flags.service;
  filter.after_seq = flags.after_seq;
  filter.limit = flags.limit;
  filter.newest_first = flags.newest;
  return filter;
}

int runVerify(const GlobalOptions& global, const AuditFlags& flags) {
  Result<memory::TrailOptions> trail = trailOptions(global, flags);
  if (!trail) return fail(flags, "verify", trail.status(), kExitInvalid);
  ProgressLine progress("verifying");
  Result<memory::VerifyReport> report =
      memory::verifyTrail(*trail, {.deep = flags.deep}, progress.callback());
  progress.finish();
  if (!report) return fail(flags, "verify", report.status());
  const memory::VerifyReport& r = *report;
  if (json(flags)) {
    Json out = memory::toJson(r);
    out["trail"] = trail->dir.string();
    std::cout << dumpJson(out) << "\n";
    return r.ok ? kExitOk : kExitFailure;
  }
  std::cout << (r.ok ? "ok" : "FAILED") << ": " << r.records << " records (seq " << r.first_seq
            << " to " << r.last_seq << ") in " << r.segments << " segment(s), " << r.bytes
            << " bytes, " << trail->dir.string() << "\n";
  if (r.head_present) std::cout << "head: seq " << r.head_seq << " " << r.head_hash << "\n";
  if (r.checkpoint_present) {
    std::cout << "retention checkpoint: records kept from seq " << r.checkpoint_first_seq << "\n";
  }
  if (r.keyed_records > 0 || r.unauthenticated_records > 0) {
    std::cout << "HMAC: " << r.keyed_records << " records authenticated, "
              << r.unauthenticated_records << " written before the key was set\n";
  }
  for (const memory::Finding& f : r.repairs) {
    std::cout << "recorded by memory at seq " << f.seq << ": " << f.what << "\n";
  }
  for (const std::string& note : r.notes) std::cout << "note: " << note << "\n";
  if (r.failure) {
    const memory::Finding& f = *r.failure;
    std::cout << "first problem";
    if (f.seq > 0) std::cout << " at seq " << f.seq;
    if (!f.segment.empty()) std::cout << " (" << f.segment << ", byte " << f.offset << ")";
    std::cout << ": " << f.what << "\n";
  }
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.2f s, %.0f records/s", r.seconds,
                r.seconds > 0 ? static_cast<double>(r.records) / r.seconds : 0.0);
  std::cout << rate << "\n";
  return r.ok ? kExitOk : kExitFailure;
}

int runReindex(const GlobalOptions& global, const AuditFlags& flags) {
  Result<memory::TrailOptions> trail = trailOptions(global, flags);
  if (!trail) return fail(flags, "reindex", trail.status(), kExitInvalid);
  ProgressLine progress("indexing");
  Result<memory::ReindexReport> report = memory::reindexTrail(*trail, progress.callback());
  progress.finish();
  if (!report) return fail(flags, "reindex", report.status());
  if (json(flags)) {
    Json out = memory::toJson(*report);
    out["ok"] = true;
    std::cout << dumpJson(out) << "\n";
  } else {
    std::cout << "indexed " << report->records << " records in " << report->seconds << " s; "
              << report->index_bytes << " bytes ("
              << (report->records ? report->index_bytes / report->records : 0) << " per record)\n";
  }
  return kExitOk;
}

int runQuery(const GlobalOptions& global, const AuditFlags& flags) {
  Result<memory::TrailOptions> trail = trailOptions(global, flags);
  if (!trail) return fail(flags, "query", trail.status(), kExitInvalid);
  Result<memory::QueryFilter> filter = filterOf(flags);
  if (!filter) return fail(flags, "query", filter.status(), kExitInvalid);
  ProgressLine progress("indexing");
  Result<std::unique_ptr<memory::AuditReader>> reader = openReader(*trail, progress);
  if (!reader) return fail(flags, "query", reader.status());
  memory::AuditReader& r = **reader;

  auto records = [&](Result<std::vector<AuditRecord>> found) {
    if (!found) return fail(flags, "query", found.status());
    printRecords(flags, *found);
    return kExitOk;
  };
  auto optional = [&](Result<std::optional<AuditRecord>> found) {
    if (!found) return fail(flags, "query", found.status());
    std::vector<AuditRecord> list;
    if (found->has_value()) list.push_back(std::move(**found));
    printRecords(flags, list);
    return kExitOk;
  };
  if (!flags.incident.empty()) {
    Result<memory::CausalChain> chain = r.causalChain(flags.incident);
    if (!chain) return fail(flags, "query", chain.status());
    if (json(flags)) {
      std::cout << dumpJson(Json{{"ok", true},
                                 {"incident_id", flags.incident},
                                 {"found", !chain->empty()},
                                 {"chain", memory::toJson(*chain)}})
                << "\n";
    } else if (chain->empty()) {
      std::cerr << "orion audit query: incident " << flags.incident << " is not in the trail\n";
      return kExitFailure;
    } else {
      for (const AuditRecord* record : chain->ordered()) std::cout << textLine(*record) << "\n";
    }
    return kExitOk;
  }
  if (flags.open_incidents) return records(r.openIncidents());
  if (flags.actions_without_outcome) return records(r.actionsWithoutOutcome());
  if (flags.pending_approvals) return records(r.pendingApprovalRequests(RealClock().now()));
  if (!flags.latest_outcome.empty()) return optional(r.latestOutcome(flags.latest_outcome));
  if (!flags.latest.empty()) return optional(r.latest(flags.latest));
  Result<std::vector<AuditRecord>> found = r.query(*filter);
  if (found && flags.newest) std::reverse(found->begin(), found->end());  // oldest first on screen
  return records(std::move(found));
}

int runTail(const GlobalOptions& global, const AuditFlags& flags) {
  Result<memory::TrailOptions> trail = trailOptions(global, flags);
  if (!trail) return fail(flags, "tail", trail.status(), kExitInvalid);
  // Signals are blocked before the reader's threads exist; a watcher turns them into a stop.
  daemon::ShutdownSignals signals;
  memory::AuditReader::Options options;
  options.catch_up = false;  // tail reads the log only
  Result<std::unique_ptr<memory::AuditReader>> reader = memory::AuditReader::open(*trail, options);
  if (!reader) return fail(flags, "tail", reader.status());
  Result<std::vector<AuditRecord>> last = (*reader)->last(flags.lines);
  if (!last) return fail(flags, "tail", last.status());
  // False once stdout is gone (`| head`): following stops.
  auto print = [&](const AuditRecord& record) {
    std::cout << (json(flags) ? dumpJson(memory::toJson(record)) : textLine(record)) << "\n"
              << std::flush;
    return static_cast<bool>(std::cout);
  };
  for (const AuditRecord& record : *last) print(record);
  if (!flags.follow) return kExitOk;
  std::atomic<bool> stop{false};
  std::thread watcher([&] {
    while (!stop.load()) {
      if (signals.wait(std::chrono::milliseconds(100)) != 0) stop.store(true);
    }
  });
  uint64_t after = last->empty() ? 0 : last->back().seq;
  Status followed = (*reader)->follow(after, print, stop, std::chrono::milliseconds(200));
  stop.store(true);
  watcher.join();
  if (!followed) return fail(flags, "tail", followed);
  return kExitOk;
}

int runExport(const GlobalOptions& global, const AuditFlags& flags) {
  if (flags.format != "jsonl" && flags.format != "csv") {
    return fail(flags, "export", invalidArgument("--format must be jsonl or csv"), kExitInvalid);
  }
  Result<memory::TrailOptions> trail = trailOptions(global, flags);
  if (!trail) return fail(flags, "export", trail.status(), kExitInvalid);
  Result<memory::QueryFilter> filter = filterOf(flags);
  if (!filter) return fail(flags, "export", filter.status(), kExitInvalid);
  ProgressLine indexing("indexing");
  Result<std::unique_ptr<memory::AuditReader>> reader = openReader(*trail, indexing);
  if (!reader) return fail(flags, "export", reader.status());

  std::ofstream file;
  if (!flags.file.empty()) {
    file.open(flags.file, std::ios::binary | std::ios::trunc);
    if (!file) return fail(flags, "export", unavailable("cannot write '" + flags.file + "'"));
  }
  std::ostream& out = flags.file.empty() ? std::cout : file;
  bool csv = flags.format == "csv";
  if (csv) out << memory::csvHeader();
  uint64_t count = 0;
  ProgressLine progress("exporting");
  Status exported = (*reader)->forEach(
      *filter,
      [&](const AuditRecord& record) -> Status {
        if (csv) {
          out << memory::csvRow(record);
        } else {
          out << record.line << "\n";
        }
        ++count;
        return out ? Status::ok() : unavailable("writing the export failed");
      },
      progress.callback());
  progress.finish();
  out.flush();
  if (!exported) return fail(flags, "export", exported);
  if (!out) return fail(flags, "export", unavailable("writing the export failed"));
  Json summary = {{"ok", true}, {"records", count}, {"format", flags.format}};
  if (!flags.file.empty()) summary["file"] = flags.file;
  if (json(flags)) {
    (flags.file.empty() ? std::cerr : std::cout) << dumpJson(summary) << "\n";
  } else if (!flags.file.empty()) {
    std::cout << "exported " << count << " records to " << flags.file << "\n";
  }
  return kExitOk;
}

void addCommonOptions(CLI::App* command, AuditFlags& flags) {
  command->add_option("--output", flags.output, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_option("--trail", flags.trail_dir,
                      "A trail directory to read (default: <state_dir>/<memory.audit_dir>)");
  command->add_option("--key-file", flags.key_file,
                      "The trail's HMAC key (default: memory.hmac_key_file)");
}

void addFilterOptions(CLI::App* command, AuditFlags& flags) {
  command->add_option("--since", flags.since,
                      "Records at or after this time (RFC 3339, or 15m, 2d ago)");
  command->add_option("--until", flags.until, "Records before this time");
  command->add_option("--type", flags.types, "Only this contract type (repeatable)");
  command->add_option("--node", flags.node, "Only records from or about this node");
  command->add_option("--service", flags.service, "Only records about this service");
  command->add_option("--after-seq", flags.after_seq, "Only records after this seq (paging)");
}

}  // namespace

void addAuditCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  CLI::App* audit = app.add_subcommand(
      "audit", "Verify, index, query, tail and export the audit trail (no daemon needed)");
  audit->require_subcommand(1);
  auto flags = std::make_shared<AuditFlags>();
  auto bind = [&global, &action, flags](CLI::App* command,
                                        int (*run)(const GlobalOptions&, const AuditFlags&)) {
    command->callback([&global, &action, flags, run] {
      action = [&global, flags, run] { return run(global, *flags); };
    });
  };

  CLI::App* verify = audit->add_subcommand(
      "verify", "Check every record's hash and link, the head and the checkpoints (exit 1 if not)");
  addCommonOptions(verify, *flags);
  verify->add_flag("--deep", flags->deep, "Also parse every record and check its canonical form");
  bind(verify, runVerify);

  CLI::App* reindex = audit->add_subcommand("reindex", "Rebuild the SQLite index from the log");
  addCommonOptions(reindex, *flags);
  bind(reindex, runReindex);

  CLI::App* query = audit->add_subcommand(
      "query", "Records by time, type, node, service; an incident's causal chain; open entities");
  addCommonOptions(query, *flags);
  addFilterOptions(query, *flags);
  query->add_option("--incident", flags->incident,
                    "The incident's causal chain: events, incident, decisions, approval requests, "
                    "approvals, actions, outcomes");
  query->add_option("--limit", flags->limit, "At most this many records (0: all; default 100)");
  query->add_flag("--newest", flags->newest, "The newest matches (with --limit), not the oldest");
  query->add_flag("--open-incidents", flags->open_incidents,
                  "The newest version of every incident not resolved");
  query->add_flag("--pending-approvals", flags->pending_approvals,
                  "Approval requests without an answer that have not expired");
  query->add_flag("--actions-without-outcome", flags->actions_without_outcome,
                  "Actions that have no outcome (in flight, or lost)");
  query->add_option("--latest-outcome", flags->latest_outcome,
                    "The newest outcome of this action id");
  query->add_option("--latest", flags->latest, "The newest record whose own id is this");
  bind(query, runQuery);

  CLI::App* tail = audit->add_subcommand("tail", "The last records of the log; -f follows it");
  addCommonOptions(tail, *flags);
  tail->add_option("-n,--lines", flags->lines, "How many records (default 10)");
  tail->add_flag("-f,--follow", flags->follow, "Keep printing records as they are written");
  bind(tail, runTail);

  CLI::App* exporter = audit->add_subcommand(
      "export", "Write records as JSONL (the records as stored) or CSV, to stdout or --file");
  addCommonOptions(exporter, *flags);
  addFilterOptions(exporter, *flags);
  exporter->add_option("--format", flags->format, "jsonl (default) or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  exporter->add_option("--file", flags->file, "Write to this file instead of stdout");
  bind(exporter, runExport);
}

}  // namespace orion::cli
