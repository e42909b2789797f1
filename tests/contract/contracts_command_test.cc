// `orion contracts validate|list`, run through CLI11 in process with stdin/stdout/stderr captured.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "fixtures.h"
#include "testing/temp_dir.h"

namespace orion::cli {
namespace {

using orion::testing::TempDir;

struct CommandRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Parses `args` (after "orion") with only the contracts command registered, then runs it.
CommandRun runOrion(std::vector<std::string> args, const std::string& stdin_text = "") {
  CLI::App app{"test", "orion"};
  app.require_subcommand(1);
  GlobalOptions global;
  Action action;
  addContractsCommand(app, global, action);

  std::vector<std::string> argv_storage = {"orion"};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());

  CommandRun run;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& error) {
    run.exit_code = kExitInvalid;
    run.err = error.what();
    return run;
  }
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  auto* old_in = std::cin.rdbuf(in.rdbuf());
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  run.exit_code = action ? action() : -1;
  std::cin.rdbuf(old_in);
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

TEST(ContractsCommand, ValidFileExitsZero) {
  TempDir dir;
  const auto file = dir.write("event.json", contracts::testing::validDocument("event").dump());
  const CommandRun run = runOrion({"contracts", "validate", "event", file.string()});
  EXPECT_EQ(run.exit_code, kExitOk) << run.err;
  EXPECT_EQ(run.out, "valid\n");
}

TEST(ContractsCommand, InvalidDocumentPrintsEachFailureAndExitsTwo) {
  Json doc = contracts::testing::validDocument("event");
  doc["version"] = "2.0";
  doc.erase("event_id");
  const CommandRun run = runOrion({"contracts", "validate", "event", "-"}, doc.dump());
  EXPECT_EQ(run.exit_code, kExitInvalid);
  EXPECT_NE(run.out.find("/version: must be \"1.0\"\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("/event_id: required property is missing\n"), std::string::npos)
      << run.out;
}

TEST(ContractsCommand, RootFailureUsesSlash) {
  const CommandRun run = runOrion({"contracts", "validate", "event", "-"}, "[1, 2]");
  EXPECT_EQ(run.exit_code, kExitInvalid);
  EXPECT_EQ(run.out, "/: must be of type object\n");
}

TEST(ContractsCommand, NotJsonExitsTwo) {
  const CommandRun run = runOrion({"contracts", "validate", "event", "-"}, "{\"version\": ");
  EXPECT_EQ(run.exit_code, kExitInvalid);
  EXPECT_NE(run.err.find("<stdin>: not JSON"), std::string::npos) << run.err;
}

TEST(ContractsCommand, UnknownTypeListsKnownTypesAndExitsTwo) {
  const CommandRun run = runOrion({"contracts", "validate", "evnt", "-"}, "{}");
  EXPECT_EQ(run.exit_code, kExitInvalid);
  EXPECT_NE(run.err.find("unknown contract type 'evnt'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("approval_request"), std::string::npos) << run.err;
}

TEST(ContractsCommand, UnreadableFileExitsOne) {
  const CommandRun run = runOrion({"contracts", "validate", "event", "/nonexistent/event.json"});
  EXPECT_EQ(run.exit_code, kExitFailure);
  EXPECT_NE(run.err.find("/nonexistent/event.json"), std::string::npos) << run.err;
}

TEST(ContractsCommand, MissingArgumentsAreUsageErrors) {
  EXPECT_EQ(runOrion({"contracts", "validate", "event"}).exit_code, kExitInvalid);
  EXPECT_EQ(runOrion({"contracts"}).exit_code, kExitInvalid);
}

TEST(ContractsCommand, DirOptionUsesSchemasBeingEdited) {
  TempDir dir;
  dir.write("thing.schema.json", R"({"type": "object", "required": ["name"]})");
  const auto file = dir.write("doc.json", "{}");
  const CommandRun run =
      runOrion({"contracts", "validate", "thing", file.string(), "--dir", dir.path().string()});
  EXPECT_EQ(run.exit_code, kExitInvalid);
  EXPECT_EQ(run.out, "/name: required property is missing\n");

  const CommandRun broken = runOrion({"contracts", "list", "--dir", "/nonexistent"});
  EXPECT_EQ(broken.exit_code, kExitFailure);
  EXPECT_NE(broken.err.find("does not exist"), std::string::npos) << broken.err;
}

TEST(ContractsCommand, ListPrintsTypesWithStreamKeys) {
  const CommandRun run = runOrion({"contracts", "list"});
  EXPECT_EQ(run.exit_code, kExitOk);
  EXPECT_NE(run.out.find("event              orion:events\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("approval_decision  orion:approval_decisions\n"), std::string::npos)
      << run.out;
  const CommandRun prefixed = runOrion({"contracts", "list", "--prefix", "lab"});
  EXPECT_NE(prefixed.out.find("lab:deadletters"), std::string::npos) << prefixed.out;
}

}  // namespace
}  // namespace orion::cli
