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

// Rules match tags and targets with the shared glob matcher (common/glob.h).
using orion::globMatch;

}  // namespace orion::policy
