// `orion contracts validate TYPE FILE|-` and `orion contracts list`: check a document against the
// schemas compiled into the binary (or a directory of schemas being edited, --dir), and show the
// contract types with their stream keys.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "common/json.h"
#include "contracts/registry.h"

namespace orion::cli {

namespace {

struct ContractsOptions {
  std::string type;
  std::string file;
  std::string schema_dir;
  std::string prefix = "orion";
};

Result<std::shared_ptr<const contracts::ContractRegistry>> loadRegistry(const std::string& dir) {
  if (dir.empty()) return contracts::ContractRegistry::loadEmbedded();
  return contracts::ContractRegistry::loadDirectory(dir);
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// "-" is stdin. Errors name the file and why.
Result<std::string> readInput(const std::string& file) {
  if (file == "-") {
    std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    if (std::cin.bad()) return unavailable("error reading standard input");
    return text;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return notFound("cannot open '" + file + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return unavailable("error reading '" + file + "'");
  return text.str();
}

int runValidate(const ContractsOptions& options) {
  auto registry = loadRegistry(options.schema_dir);
  if (!registry.isOk()) {
    std::cerr << "orion contracts: " << registry.status().message() << "\n";
    return kExitFailure;
  }
  if (!(*registry)->has(options.type)) {
    std::cerr << "orion contracts: unknown contract type '" << options.type
              << "'; known types: " << joined((*registry)->types()) << "\n";
    return kExitInvalid;
  }
  const std::string name = options.file == "-" ? "<stdin>" : options.file;
  Result<std::string> text = readInput(options.file);
  if (!text.isOk()) {
    std::cerr << "orion contracts: " << text.status().message() << "\n";
    return kExitFailure;
  }
  Result<Json> document = parseJson(*text);
  if (!document.isOk()) {
    std::cerr << "orion contracts: " << name << ": not JSON: " << document.status().message()
              << "\n";
    return kExitInvalid;
  }
  const auto failures = (*registry)->check(options.type, *document);
  if (failures.empty()) {
    std::cout << "valid\n";
    return kExitOk;
  }
  for (const contracts::ValidationFailure& failure : failures) {
    std::cout << (failure.pointer.empty() ? "/" : failure.pointer) << ": " << failure.message
              << "\n";
  }
  return kExitInvalid;
}

int runList(const ContractsOptions& options) {
  auto registry = loadRegistry(options.schema_dir);
  if (!registry.isOk()) {
    std::cerr << "orion contracts: " << registry.status().message() << "\n";
    return kExitFailure;
  }
  size_t width = 0;
  for (const std::string& type : (*registry)->types()) width = std::max(width, type.size());
  for (const std::string& type : (*registry)->types()) {
    std::cout << type << std::string(width - type.size() + 2, ' ')
              << contracts::streamKey(options.prefix, type) << "\n";
  }
  return kExitOk;
}

}  // namespace

void addContractsCommand(CLI::App& app, GlobalOptions& /*global*/, Action& action) {
  CLI::App* command =
      app.add_subcommand("contracts", "Validate documents against ORION's contracts, list them");
  command->require_subcommand(1);

  // The options' storage must live as long as the app; the callbacks own it.
  auto options = std::make_shared<ContractsOptions>();

  CLI::App* validate = command->add_subcommand(
      "validate", "Validate a JSON document (exit 0 valid, 2 invalid, 1 unreadable)");
  validate->add_option("TYPE", options->type, "Contract type (see `orion contracts list`)")
      ->required();
  validate->add_option("FILE", options->file, "JSON file, or - for standard input")->required();
  validate->add_option(
      "--dir", options->schema_dir,
      "Use the *.schema.json files of this directory instead of the built-in ones");
  validate->callback([&action, options] { action = [options] { return runValidate(*options); }; });

  CLI::App* list = command->add_subcommand("list", "List the contract types and their streams");
  list->add_option("--prefix", options->prefix, "Stream key prefix")->capture_default_str();
  list->add_option("--dir", options->schema_dir,
                   "Use the *.schema.json files of this directory instead of the built-in ones");
  list->callback([&action, options] { action = [options] { return runList(*options); }; });
}

}  // namespace orion::cli
