#include "watcher/source_registry.h"

#include <variant>

#include "watcher/sources/host/host_source.h"

namespace orion::watcher {

Status SourceRegistry::add(SourceType type) {
  std::string name = type.info.name;
  if (!types_.emplace(name, std::move(type)).second) {
    return Status(StatusCode::kAlreadyExists, "source type '" + name + "' registered twice");
  }
  return Status::ok();
}

const SourceType* SourceRegistry::find(const std::string& name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : &it->second;
}

std::vector<SourceTypeInfo> SourceRegistry::types() const {
  std::vector<SourceTypeInfo> infos;
  for (const auto& [name, type] : types_) infos.push_back(type.info);
  return infos;
}

std::vector<SourceSpec> configuredSources(const config::WatcherConfig& config,
                                          const SourceRegistry& registry) {
  std::vector<SourceSpec> specs;
  if (config.host.enabled) specs.push_back(host::hostSourceSpec(config.host));
  for (const config::SourceInstanceConfig& instance : config.sources) {
    const config::SourceCommonConfig& common = std::visit(
        [](const auto& settings) -> const config::SourceCommonConfig& { return settings; },
        instance.settings);
    const SourceType* type = registry.find(instance.type);
    SourceSpec spec{instance.type, instance.name, {}, common.labels};
    if (type == nullptr) {
      spec.make = [instance](SourceContext) -> Result<std::unique_ptr<Source>> {
        return invalidArgument(instance.location + ": no source type '" + instance.type +
                               "' in this build");
      };
    } else {
      spec.make = [make = type->make, instance](SourceContext context) {
        return make(instance, std::move(context));
      };
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace orion::watcher
