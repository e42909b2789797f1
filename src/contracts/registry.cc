#include "contracts/registry.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>

#include "contracts/compiled_schema.h"
#include "contracts/embedded_schemas.h"
#include "contracts/fast_check.h"

namespace orion::contracts {

namespace {

constexpr std::string_view kSchemaSuffix = ".schema.json";

struct SchemaSource {
  std::string file_name;  // "event.schema.json"
  std::string origin;     // where the text came from, for error messages
  std::string text;
};

std::string joinFailures(const std::vector<ValidationFailure>& failures) {
  std::string out;
  for (const ValidationFailure& failure : failures) {
    if (!out.empty()) out += "; ";
    out += failure.pointer.empty() ? "/" : failure.pointer;
    out += ": ";
    out += failure.message;
  }
  return out;
}

Result<std::string> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return notFound("cannot open '" + path.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return unavailable("error reading '" + path.string() + "'");
  return text.str();
}

}  // namespace

struct ContractRegistry::Impl {
  struct Contract {
    Json schema;
    CompiledSchema compiled;        // valijson: the reference, and the failure reports
    std::optional<FastCheck> fast;  // the quick "valid?" for the common case, when it applies
  };
  std::map<std::string, Contract, std::less<>> contracts;

  const Contract* find(std::string_view type) const {
    auto it = contracts.find(type);
    return it == contracts.end() ? nullptr : &it->second;
  }

  std::string knownTypes() const {
    std::string out;
    for (const auto& [type, contract] : contracts) {
      if (!out.empty()) out += ", ";
      out += type;
    }
    return out;
  }

  static Result<std::unique_ptr<Impl>> build(std::vector<SchemaSource> sources) {
    auto impl = std::make_unique<Impl>();
    for (SchemaSource& source : sources) {
      const std::string type =
          source.file_name.substr(0, source.file_name.size() - kSchemaSuffix.size());
      Result<Json> schema = parseJson(source.text);
      if (!schema.isOk()) return schema.status().withContext(source.origin);
      Result<CompiledSchema> compiled = CompiledSchema::compile(*schema);
      if (!compiled.isOk()) return compiled.status().withContext(source.origin);
      std::optional<FastCheck> fast = FastCheck::compile(*schema);
      impl->contracts.emplace(type,
                              Contract{std::move(*schema), std::move(*compiled), std::move(fast)});
    }
    return impl;
  }
};

ContractRegistry::ContractRegistry(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ContractRegistry::~ContractRegistry() = default;

Result<std::shared_ptr<const ContractRegistry>> ContractRegistry::loadEmbedded() {
  std::vector<SchemaSource> sources;
  for (const EmbeddedFile& file : embeddedSchemas()) {
    sources.push_back(
        {std::string(file.name), "embedded " + std::string(file.name), std::string(file.bytes)});
  }
  if (sources.empty()) return internalError("no contract schemas were embedded at build time");
  Result<std::unique_ptr<Impl>> impl = Impl::build(std::move(sources));
  if (!impl.isOk()) return impl.status();
  return std::shared_ptr<const ContractRegistry>(new ContractRegistry(std::move(*impl)));
}

Result<std::shared_ptr<const ContractRegistry>> ContractRegistry::loadDirectory(
    const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    return notFound("contracts directory '" + directory.string() + "' does not exist");
  }
  std::vector<std::filesystem::path> paths;
  for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end;
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.size() > kSchemaSuffix.size() && name.ends_with(kSchemaSuffix)) {
      paths.push_back(it->path());
    }
  }
  if (error) {
    return unavailable("listing '" + directory.string() + "': " + error.message());
  }
  if (paths.empty()) {
    return notFound("no schema files found in '" + directory.string() + "' (expected *" +
                    std::string(kSchemaSuffix) + ")");
  }
  std::sort(paths.begin(), paths.end());
  std::vector<SchemaSource> sources;
  for (const std::filesystem::path& path : paths) {
    Result<std::string> text = readFile(path);
    if (!text.isOk()) return text.status();
    sources.push_back({path.filename().string(), path.string(), std::move(*text)});
  }
  Result<std::unique_ptr<Impl>> impl = Impl::build(std::move(sources));
  if (!impl.isOk()) return impl.status();
  return std::shared_ptr<const ContractRegistry>(new ContractRegistry(std::move(*impl)));
}

bool ContractRegistry::has(std::string_view type) const { return impl_->find(type) != nullptr; }

std::vector<std::string> ContractRegistry::types() const {
  std::vector<std::string> out;
  out.reserve(impl_->contracts.size());
  for (const auto& [type, contract] : impl_->contracts) out.push_back(type);
  return out;
}

const Json* ContractRegistry::schema(std::string_view type) const {
  const Impl::Contract* contract = impl_->find(type);
  return contract == nullptr ? nullptr : &contract->schema;
}

std::vector<ValidationFailure> ContractRegistry::check(std::string_view type,
                                                       const Json& document) const {
  const Impl::Contract* contract = impl_->find(type);
  if (contract == nullptr) {
    return {{"", "unknown contract type '" + std::string(type) +
                     "' (known: " + impl_->knownTypes() + ")"}};
  }
  std::vector<ValidationFailure> failures;
  contract->compiled.check(document, &failures);
  return failures;
}

Status ContractRegistry::validate(std::string_view type, const Json& document) const {
  const Impl::Contract* contract = impl_->find(type);
  if (contract == nullptr) return notFound("unknown contract type '" + std::string(type) + "'");
  // FastCheck never accepts what valijson rejects; when it says no, valijson decides and explains.
  if (contract->fast && contract->fast->accepts(document)) return Status::ok();
  std::vector<ValidationFailure> failures;
  if (contract->compiled.check(document, &failures)) return Status::ok();
  if (failures.empty()) failures.push_back({"", "document is invalid"});
  return invalidArgument(joinFailures(failures));
}

const std::vector<std::string_view>& pipelineTypes() {
  static const std::vector<std::string_view> kTypes = {
      type::kEvent,           type::kIncident,         type::kDecision,
      type::kApprovalRequest, type::kApprovalDecision, type::kAction,
      type::kOutcome};
  return kTypes;
}

std::string streamKey(std::string_view prefix, std::string_view type) {
  std::string key;
  key.reserve(prefix.size() + type.size() + 2);
  key.append(prefix).append(":").append(type).append("s");
  return key;
}

}  // namespace orion::contracts
