#include "contracts/fast_check.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "contracts/formats.h"

namespace orion::contracts {

namespace {

// One bit per JSON type named by `type`.
enum TypeBit : uint8_t {
  kNull = 1,
  kBoolean = 2,
  kInteger = 4,  // valijson (strict): a JSON integer, not 1.0
  kNumber = 8,   // any number, integer included
  kString = 16,
  kArray = 32,
  kObject = 64,
};

std::optional<uint8_t> typeBit(const Json& name) {
  if (!name.is_string()) return std::nullopt;
  const auto& text = name.get_ref<const std::string&>();
  if (text == "null") return kNull;
  if (text == "boolean") return kBoolean;
  if (text == "integer") return kInteger;
  if (text == "number") return kNumber;
  if (text == "string") return kString;
  if (text == "array") return kArray;
  if (text == "object") return kObject;
  return std::nullopt;
}

bool hasType(uint8_t allowed, const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return allowed & kNull;
    case Json::value_t::boolean:
      return allowed & kBoolean;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return allowed & (kInteger | kNumber);
    case Json::value_t::number_float:
      return allowed & kNumber;
    case Json::value_t::string:
      return allowed & kString;
    case Json::value_t::array:
      return allowed & kArray;
    case Json::value_t::object:
      return allowed & kObject;
    default:
      return false;  // binary, discarded: never in a contract document
  }
}

// A number as valijson reads it for minimum/maximum: a float as is, an integer through int64
// (so an unsigned above INT64_MAX wraps negative there; matching that keeps the two validators
// in agreement on hostile input).
double valijsonDouble(const Json& value) {
  if (value.is_number_float()) return value.get<double>();
  if (value.is_number_unsigned()) {
    return static_cast<double>(static_cast<int64_t>(value.get<uint64_t>()));
  }
  return static_cast<double>(value.get<int64_t>());
}

// Characters as valijson counts them for minLength/maxLength (utils::u8_strlen): it stops at
// the first NUL, and each character is one byte plus the continuation bytes after it.
uint64_t valijsonLength(const std::string& text) {
  uint64_t count = 0;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n && text[i] != '\0') {
    ++i;
    while (i < n && text[i] != '\0' && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    ++count;
  }
  return count;
}

// Keywords that carry no constraint.
bool isAnnotation(std::string_view key) {
  static constexpr std::string_view kAnnotations[] = {
      "$schema", "$id",      "$comment",   "title",    "description",
      "default", "examples", "deprecated", "readOnly", "writeOnly"};
  return std::find(std::begin(kAnnotations), std::end(kAnnotations), key) != std::end(kAnnotations);
}

// enum and const are compared exactly (valijson's strict equalTo) for these; other values (numbers
// compare across int/float, objects recursively) are left to valijson.
bool isPlainValue(const Json& value) {
  return value.is_string() || value.is_boolean() || value.is_null();
}

}  // namespace

struct FastCheck::Node {
  bool never = false;  // the schema `false`
  uint8_t types = 0;   // 0: no `type` keyword
  // objects
  struct Property {
    std::string name;
    uint32_t schema;
    bool required;
  };
  std::vector<Property> properties;             // sorted like the document's keys
  size_t required_properties = 0;               // required names that have a property schema
  std::vector<std::string> required_elsewhere;  // required names without one
  enum class Additional : uint8_t { kAllow, kDeny, kSchema } additional = Additional::kAllow;
  uint32_t additional_schema = 0;
  // arrays
  std::optional<uint32_t> items;
  std::optional<uint64_t> min_items;
  // strings
  std::optional<uint64_t> min_length;
  std::optional<uint64_t> max_length;
  std::optional<SchemaFormat> format;
  std::shared_ptr<const SchemaPattern> pattern;
  // numbers
  std::optional<double> minimum;
  std::optional<double> maximum;
  // any
  std::vector<Json> enum_values;
  std::optional<Json> const_value;
  std::vector<uint32_t> all_of;
  std::vector<uint32_t> any_of;
  std::optional<uint32_t> if_schema;
  std::optional<uint32_t> then_schema;
  std::optional<uint32_t> else_schema;
};

FastCheck::FastCheck() = default;
FastCheck::~FastCheck() = default;
FastCheck::FastCheck(FastCheck&&) noexcept = default;
FastCheck& FastCheck::operator=(FastCheck&&) noexcept = default;

std::optional<FastCheck> FastCheck::compile(const Json& schema) {
  FastCheck check;
  if (!check.build(schema)) return std::nullopt;
  return check;
}

// Appends the node for `schema` and returns its index; nullopt for anything not implemented.
std::optional<uint32_t> FastCheck::build(const Json& schema) {
  const auto index = static_cast<uint32_t>(nodes_.size());
  nodes_.emplace_back();
  if (schema.is_boolean()) {
    nodes_[index].never = !schema.get<bool>();
    return index;
  }
  if (!schema.is_object()) return std::nullopt;

  // Sub-schemas are built first (they append to nodes_), then stored, so no reference into
  // nodes_ is held across a build().
  auto sub = [this](const Json& s) { return build(s); };
  Node node;
  std::vector<std::string> required;
  for (const auto& [key, value] : schema.items()) {
    if (isAnnotation(key)) continue;
    if (key == "type") {
      if (value.is_array()) {
        if (value.empty()) return std::nullopt;
        for (const Json& name : value) {
          auto bit = typeBit(name);
          if (!bit) return std::nullopt;
          node.types |= *bit;
        }
      } else {
        auto bit = typeBit(value);
        if (!bit) return std::nullopt;
        node.types = *bit;
      }
    } else if (key == "properties") {
      if (!value.is_object()) return std::nullopt;
      // nlohmann's objects iterate in std::less<std::string> order, and so does items(): the
      // properties come out sorted like a document's keys, so an object is one merge walk.
      for (const auto& [name, subschema] : value.items()) {
        auto child = sub(subschema);
        if (!child) return std::nullopt;
        node.properties.push_back({name, *child, false});
      }
    } else if (key == "required") {
      if (!value.is_array()) return std::nullopt;
      for (const Json& name : value) {
        if (!name.is_string()) return std::nullopt;
        required.push_back(name.get<std::string>());
      }
    } else if (key == "additionalProperties") {
      if (value.is_boolean()) {
        node.additional = value.get<bool>() ? Node::Additional::kAllow : Node::Additional::kDeny;
      } else {
        auto child = sub(value);
        if (!child) return std::nullopt;
        node.additional = Node::Additional::kSchema;
        node.additional_schema = *child;
      }
    } else if (key == "items") {
      if (value.is_array()) return std::nullopt;  // the draft 7 tuple form
      auto child = sub(value);
      if (!child) return std::nullopt;
      node.items = *child;
    } else if (key == "minItems" || key == "minLength" || key == "maxLength") {
      if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0))
        return std::nullopt;
      auto n = value.get<uint64_t>();
      if (key == "minItems") node.min_items = n;
      if (key == "minLength") node.min_length = n;
      if (key == "maxLength") node.max_length = n;
    } else if (key == "minimum" || key == "maximum") {
      if (!value.is_number()) return std::nullopt;
      (key == "minimum" ? node.minimum : node.maximum) = value.get<double>();
    } else if (key == "format") {
      if (!value.is_string()) return std::nullopt;
      node.format = parseSchemaFormat(value.get<std::string>());
      if (!node.format) return std::nullopt;
    } else if (key == "pattern") {
      if (!value.is_string()) return std::nullopt;
      try {
        node.pattern = std::make_shared<const SchemaPattern>(value.get<std::string>());
      } catch (const std::regex_error&) {
        return std::nullopt;
      }
    } else if (key == "enum") {
      if (!value.is_array() || value.empty()) return std::nullopt;
      for (const Json& option : value) {
        if (!isPlainValue(option)) return std::nullopt;
        node.enum_values.push_back(option);
      }
    } else if (key == "const") {
      if (!isPlainValue(value)) return std::nullopt;
      node.const_value = value;
    } else if (key == "allOf" || key == "anyOf") {
      if (!value.is_array() || value.empty()) return std::nullopt;
      for (const Json& subschema : value) {
        auto child = sub(subschema);
        if (!child) return std::nullopt;
        (key == "allOf" ? node.all_of : node.any_of).push_back(*child);
      }
    } else if (key == "if" || key == "then" || key == "else") {
      auto child = sub(value);
      if (!child) return std::nullopt;
      (key == "if" ? node.if_schema : key == "then" ? node.then_schema : node.else_schema) = *child;
    } else {
      return std::nullopt;  // oneOf, not, $ref, patternProperties, ...: valijson alone
    }
  }
  // Required names are counted during the merge walk when they have a property schema; the others
  // (allowed by additionalProperties) are looked up.
  std::sort(required.begin(), required.end());
  required.erase(std::unique(required.begin(), required.end()), required.end());
  for (const std::string& name : required) {
    auto it = std::find_if(node.properties.begin(), node.properties.end(),
                           [&name](const Node::Property& p) { return p.name == name; });
    if (it != node.properties.end()) {
      it->required = true;
      ++node.required_properties;
    } else {
      node.required_elsewhere.push_back(name);
    }
  }
  nodes_[index] = std::move(node);
  return index;
}

bool FastCheck::evalString(const Node& node, const std::string& text) const {
  if (node.min_length || node.max_length) {
    const uint64_t length = valijsonLength(text);
    if (node.min_length && length < *node.min_length) return false;
    if (node.max_length && length > *node.max_length) return false;
  }
  if (node.format && !matchesFormat(*node.format, text)) return false;
  if (node.pattern && !node.pattern->matches(text)) return false;
  return true;
}

bool FastCheck::evalObject(const Node& node, const Json& value) const {
  const auto& members = value.get_ref<const Json::object_t&>();
  if (members.size() < node.required_properties) return false;
  for (const std::string& name : node.required_elsewhere) {
    if (members.find(name) == members.end()) return false;
  }
  // Both sequences are sorted by key: one merge walk finds each member's property schema and
  // counts the required ones present.
  size_t required_seen = 0;
  auto property = node.properties.begin();
  const auto properties_end = node.properties.end();
  for (const auto& [key, member] : members) {
    int order = 1;
    while (property != properties_end && (order = property->name.compare(key)) < 0) ++property;
    if (property != properties_end && order == 0) {
      if (!eval(property->schema, member)) return false;
      required_seen += property->required ? 1 : 0;
      ++property;
      continue;
    }
    if (node.additional == Node::Additional::kDeny) return false;
    if (node.additional == Node::Additional::kSchema && !eval(node.additional_schema, member)) {
      return false;
    }
  }
  return required_seen == node.required_properties;
}

bool FastCheck::eval(uint32_t index, const Json& value) const {
  const Node& node = nodes_[index];
  if (node.never) return false;
  if (node.types != 0 && !hasType(node.types, value)) return false;
  if (node.const_value && !(value == *node.const_value)) return false;
  if (!node.enum_values.empty() && std::find(node.enum_values.begin(), node.enum_values.end(),
                                             value) == node.enum_values.end()) {
    return false;
  }
  switch (value.type()) {
    case Json::value_t::object:
      if (!evalObject(node, value)) return false;
      break;
    case Json::value_t::array:
      if (node.min_items && value.size() < *node.min_items) return false;
      if (node.items) {
        for (const Json& item : value) {
          if (!eval(*node.items, item)) return false;
        }
      }
      break;
    case Json::value_t::string:
      if (!evalString(node, value.get_ref<const std::string&>())) return false;
      break;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      if (node.minimum && valijsonDouble(value) < *node.minimum) return false;
      if (node.maximum && valijsonDouble(value) > *node.maximum) return false;
      break;
    default:
      break;
  }
  for (uint32_t child : node.all_of) {
    if (!eval(child, value)) return false;
  }
  if (!node.any_of.empty() && std::none_of(node.any_of.begin(), node.any_of.end(),
                                           [&](uint32_t child) { return eval(child, value); })) {
    return false;
  }
  if (node.if_schema) {
    if (eval(*node.if_schema, value)) {
      if (node.then_schema && !eval(*node.then_schema, value)) return false;
    } else if (node.else_schema && !eval(*node.else_schema, value)) {
      return false;
    }
  }
  return true;
}

}  // namespace orion::contracts
