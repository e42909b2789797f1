// The generic instance list: a configuration key whose value is a list of plugin instances,
//
//   watcher:
//     sources:
//       - type: http            # which plugin type; required
//         name: jellyfin        # unique in the list, [a-z0-9][a-z0-9-]*; default: the type
//         url: http://127.0.0.1:8096/health
//         interval: 10s
//
// where each entry is checked against its type's own key table exactly as the top level is
// (unknown or misspelt keys with the nearest valid one, wrong shapes, out-of-range values,
// duplicates), each error at its own file:line and named "watcher.sources[jellyfin].url".
// An unknown type is an error naming the nearest type and the valid ones.
//
// Environment: ORION_<PATH>_<INSTANCE>_<KEY> (e.g. ORION_WATCHER_SOURCES_JELLYFIN_URL, '-' in a
// name written '_') overrides a scalar or list key of an instance the YAML file defines; the
// environment cannot add or remove instances.
//
// To add a list: declare each type with instanceType<Settings, T>() over the fields of its
// settings struct T (the builders of field_builders.h take T as their Target), then add one
// instanceList() field to the key table. Internal to the config module.
#pragma once

#include <memory>
#include <set>
#include <type_traits>
#include <variant>

#include "config/field_builders.h"
#include "config/instance.h"
#include "config/suggest.h"
#include "config/tree_walk.h"

namespace orion::config {

// "watcher.host.interval" -> "WATCHER_HOST_INTERVAL"; "web-api" -> "WEB_API".
std::string envSegment(std::string_view path);
// [a-z0-9][a-z0-9-]*, at most 63 characters.
Status checkInstanceName(std::string_view name);

// The key table of a settings struct rendered as a mapping tree (nested for dotted paths).
template <typename Target>
RawValue readTree(const KeyTable<Target>& table, const Target& target,
                  const std::string& group = "") {
  RawValue tree = RawValue::mapping();
  for (const auto& name : table.childrenOf(group)) {
    std::string path = group.empty() ? name : group + "." + name;
    if (const auto* field = table.find(path)) {
      tree.entries.push_back({name, "", field->read(target)});
    } else {
      tree.entries.push_back({name, "", readTree(table, target, path)});
    }
  }
  return tree;
}

// One plugin type as the configuration sees it: its name, its settings (with their defaults) and
// the key table that checks an entry. `check` (may be empty) runs on an entry whose keys were all
// fine, for rules spanning keys (warning ≤ critical); its error is reported at the entry.
template <typename Settings>
struct InstanceType {
  std::string name;
  Settings defaults;
  std::shared_ptr<const KeyTable<Settings>> keys;
  std::function<Status(const Settings&)> check;
};

// Declares a type whose settings are the struct T (one alternative of the variant Settings).
template <typename Settings, typename T>
InstanceType<Settings> instanceType(
    std::string name, T defaults, std::vector<BasicField<T>> fields,
    std::type_identity_t<std::function<Status(const T&)>> check = {}) {
  std::vector<BasicField<Settings>> adapted;
  for (BasicField<T>& field : fields) {
    BasicField<Settings> wrapped{field.path, field.kind, {}, {}, {}, {}};
    wrapped.assign = [assign = field.assign](const RawValue& value, Settings& settings) {
      return assign(value, std::get<T>(settings));
    };
    wrapped.read = [read = field.read](const Settings& settings) {
      return read(std::get<T>(settings));
    };
    adapted.push_back(std::move(wrapped));
  }
  std::function<Status(const Settings&)> wrapped_check;
  if (check) {
    wrapped_check = [check](const Settings& settings) { return check(std::get<T>(settings)); };
  }
  return InstanceType<Settings>{std::move(name), Settings(std::move(defaults)),
                                std::make_shared<const KeyTable<Settings>>(std::move(adapted)),
                                std::move(wrapped_check)};
}

namespace builders {

template <typename Settings, typename Access>
Field instanceList(std::string path, std::vector<InstanceType<Settings>> types, Access access) {
  using Item = Instance<Settings>;
  auto shared_types = std::make_shared<const std::vector<InstanceType<Settings>>>(std::move(types));
  std::vector<std::string> type_names;
  for (const auto& type : *shared_types) type_names.push_back(type.name);
  std::string what =
      "a list of instances, each a mapping with a 'type' (" + joinNames(type_names) + ")";

  Field field{std::move(path), ValueKind::kInstances, {}, {}, {}, {}};
  field.assign = [what](const RawValue& value, Config&) -> Status {
    return wrongShape(what, value);  // only reached from a source without trees
  };
  field.assign_tree = [what, shared_types, type_names, access](
                          const RawValue& value, const std::string& display, Config& config,
                          Diagnostics& diagnostics) {
    if (value.shape != RawValue::Shape::kList) {
      diagnostics.error(value.location, display + ": " + wrongShape(what, value).message());
      return;
    }
    std::vector<Item> items;
    std::map<std::string, std::string> names;  // name -> where first defined
    for (size_t i = 0; i < value.elements.size(); ++i) {
      const RawValue& entry = value.elements[i];
      std::string item = display + "[" + std::to_string(i + 1) + "]";
      if (entry.shape != RawValue::Shape::kMapping) {
        diagnostics.error(entry.location, item + ": expected a mapping with a 'type' (" +
                                              joinNames(type_names) + "), got " +
                                              describeRaw(entry));
        continue;
      }
      const RawValue* type_value = entry.find("type");
      if (type_value == nullptr || type_value->shape != RawValue::Shape::kScalar) {
        diagnostics.error(entry.location,
                          item + ": expected a 'type' key (one of " + joinNames(type_names) + ")");
        continue;
      }
      const InstanceType<Settings>* type = nullptr;
      for (const auto& candidate : *shared_types) {
        if (candidate.name == type_value->text) type = &candidate;
      }
      if (type == nullptr) {
        auto close = nearest(type_value->text, type_names);
        diagnostics.error(type_value->location,
                          item + ".type: unknown type '" + type_value->text + "'" +
                              (close ? "; did you mean '" + *close + "'?" : "") +
                              " (types: " + joinNames(type_names) + ")");
        continue;
      }
      std::string name = type->name;
      if (const RawValue* name_value = entry.find("name")) {
        Status valid = name_value->shape == RawValue::Shape::kScalar
                           ? checkInstanceName(name_value->text)
                           : wrongShape("an instance name", *name_value);
        if (!valid) {
          diagnostics.error(name_value->location, item + ".name: " + valid.message());
          continue;
        }
        name = name_value->text;
      }
      auto [first, fresh] = names.emplace(name, entry.location);
      if (!fresh) {
        diagnostics.error(entry.location, item + ": duplicate instance name '" + name +
                                              "' (first defined at " + first->second + ")" +
                                              (entry.find("name") ? "" : "; give it a 'name'"));
        continue;
      }
      Item instance{type->name, name, entry.location, type->defaults};
      size_t errors_before = diagnostics.errors().size();
      TreeWalker<Settings>(*type->keys, instance.settings, diagnostics, display + "[" + name + "]",
                           false)
          .walkMapping(entry, "", {"type", "name"});
      if (diagnostics.errors().size() != errors_before) continue;
      if (type->check) {
        Status checked = type->check(instance.settings);
        if (!checked) {
          diagnostics.error(entry.location, display + "[" + name + "]: " + checked.message());
          continue;
        }
      }
      items.push_back(std::move(instance));
    }
    access(config) = std::move(items);
  };
  field.read = [shared_types, access](const Config& config) {
    RawValue list;
    list.shape = RawValue::Shape::kList;
    for (const Item& instance : access(config)) {
      for (const auto& type : *shared_types) {
        if (type.name != instance.type) continue;
        RawValue tree = readTree(*type.keys, instance.settings);
        tree.entries.insert(tree.entries.begin(), {"name", "", RawValue::string(instance.name)});
        tree.entries.insert(tree.entries.begin(), {"type", "", RawValue::string(instance.type)});
        list.elements.push_back(std::move(tree));
      }
    }
    return list;
  };
  field.assign_env = [shared_types, access, path = field.path](
                         std::string_view rest, const std::string& text, Config& config) -> Status {
    for (Item& instance : access(config)) {
      std::string prefix = envSegment(instance.name) + "_";
      if (rest.substr(0, prefix.size()) != prefix) continue;
      std::string_view key = rest.substr(prefix.size());
      for (const auto& type : *shared_types) {
        if (type.name != instance.type) continue;
        for (const auto& leaf : type.keys->fields()) {
          if (envSegment(leaf.path) != key) continue;
          std::string display = path + "[" + instance.name + "]." + leaf.path;
          RawValue value = leaf.kind == ValueKind::kList || leaf.kind == ValueKind::kStringMap
                               ? RawValue::list(splitListText(text))
                               : RawValue::scalar(text);
          Settings changed = instance.settings;
          Status status = leaf.assign(value, changed);
          if (status && type.check) status = type.check(changed);
          if (!status) return invalidArgument(display + ": " + status.message());
          instance.settings = std::move(changed);
          return Status::ok();
        }
      }
    }
    return notFound("no instance key matches");
  };
  return field;
}

}  // namespace builders

}  // namespace orion::config
