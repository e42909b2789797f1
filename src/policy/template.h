// Parameter templates and target patterns of policy rules. Pure functions, safe from any thread.
//
// A template is text with {placeholders}: "{service_name}", "container {container_id} on {node}".
// A placeholder names a value of the incident (incident_id, incident_type, severity, state,
// description) or one of its tags (node, target, service_name, container_id, resource, ...).
// "{{" and "}}" stand for literal braces. A parameter that is exactly one placeholder stays a
// string. A pattern is a glob over the whole text: `*` any run of characters, `?` any one.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/glob.h"
#include "common/json.h"
#include "common/status.h"

namespace orion::policy {

// The placeholder names of `text`, in order of appearance (duplicates kept). kInvalidArgument
// for an unterminated '{', an empty placeholder or a name outside [a-z0-9_.] ("expected …").
Result<std::vector<std::string>> placeholdersOf(std::string_view text);

// The value of a placeholder, or nullopt when the incident has none.
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

// `text` with every placeholder replaced. kNotFound naming the first placeholder `lookup` has
// no value for; kInvalidArgument for a malformed template.
Result<std::string> renderTemplate(std::string_view text, const Lookup& lookup);

// Every string inside `parameters` (an object, nested objects and arrays included) rendered;
// other JSON values are copied. Errors as renderTemplate, with the parameter's key in context.
Result<Json> renderParameters(const Json& parameters, const Lookup& lookup);

// A value lookup that lends its text instead of copying it: the view must stay valid until the
// render it serves returns.
using ValueLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

// A rule step's parameters compiled once, when the policy is loaded: the same JSON shape, with
// every string split into literal text and placeholder names. Rendering for an incident then only
// looks the values up and appends them; it renders exactly what renderParameters() renders.
// Immutable after compile(); safe to share between threads.
class ParameterTemplate {
 public:
  // An empty template renders nothing: render() answers nullopt, as for a missing value.
  ParameterTemplate() = default;

  // kInvalidArgument for a malformed template, as placeholdersOf() (the loader has rejected
  // those already).
  static Result<ParameterTemplate> compile(const Json& parameters);

  // The parameters rendered, or nullopt when `lookup` has no value for a placeholder (or the
  // template is empty). renderParameters() on the source says which placeholder, for messages.
  std::optional<Json> render(const ValueLookup& lookup) const;

 private:
  struct Piece {
    bool placeholder = false;
    std::string text;  // literal text, or the placeholder's name
  };
  // One JSON value of the shape: a constant (no string inside), a string template, an object or
  // an array of further nodes.
  struct Node {
    enum class Kind { kConstant, kText, kObject, kArray };
    Kind kind = Kind::kConstant;
    Json constant;
    std::vector<Piece> pieces;      // kText
    std::vector<std::string> keys;  // kObject, in the object's (sorted) order
    std::vector<Node> children;     // kObject (one per key) and kArray
  };
  static Result<Node> compileNode(const Json& value);
  static bool renderNode(const Node& node, const ValueLookup& lookup, Json& out);

  std::optional<Node> root_;
};

// Rules match tags and targets with the shared glob matcher (common/glob.h).
using orion::globMatch;

}  // namespace orion::policy
