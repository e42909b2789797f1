// The rows of the key table (config/schema.h), one file per top-level key, so the module that owns
// a key owns the file that declares it. Each adder appends its fields in the order of its Config
// struct; Schema() calls them in the order of Config. Internal to the config module.
#pragma once

#include <vector>

#include "config/instance_list.h"
#include "config/schema.h"

namespace orion::config {

void addProcessFields(std::vector<Field>& fields);  // node, state_dir, log
void addBusFields(std::vector<Field>& fields);
void addWatcherFields(std::vector<Field>& fields);
// The types `watcher.sources` accepts, with their key tables (for the docs test).
std::vector<InstanceType<SourceSettings>> watcherSourceTypes();
// "expected an http:// or https:// URL" unless `text` is one (watcher probes, notifications).
Status checkHttpUrl(std::string_view text);
void addGuardianFields(std::vector<Field>& fields);
void addBrainFields(std::vector<Field>& fields);
void addApprovalFields(std::vector<Field>& fields);
void addCommanderFields(std::vector<Field>& fields);
// The types `commander.notifications` accepts (for the docs test).
std::vector<InstanceType<NotificationSettings>> notificationChannelTypes();
void addMemoryFields(std::vector<Field>& fields);
void addApiFields(std::vector<Field>& fields);

}  // namespace orion::config
