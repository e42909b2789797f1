// Which node a document is for, in the distributed shape (several `orion run` processes sharing
// one Redis; see docs/ARCHITECTURE.md, "Deployment shapes").
//
// Every event carries the name of the node it was observed on (`tags.node`, config `node.name`,
// default the host name); the guardian copies it onto the incident and the brain onto the
// decision. A decision is therefore addressed to the node in its `tags.node`, and only that
// node's commander may act on it. Each commander consumes decisions in a consumer group of its
// own, nodeGroup("commander", node) = "commander-<node>", so every node's commander sees every
// decision once; it acknowledges and ignores the ones addressed to another node (or to none:
// fail closed, inaction is preferred). Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"

namespace orion::bus {

// The node a document is addressed to: its `tags.node`, else `data.node`, else "".
std::string_view targetNode(const Json& document);

// True when `document` is addressed to `node` (a non-empty name).
bool addressedTo(const Json& document, std::string_view node);

// The per-node consumer group "<base>-<node>".
std::string nodeGroup(std::string_view base, std::string_view node);

}  // namespace orion::bus
