// Checks that involve more than one key, run once every source has been applied. Internal to the
// config module.
#pragma once

#include "config/config.h"
#include "config/diagnostics.h"

namespace orion::config {

// Each watcher threshold's warning ≤ critical (when both are set) and approval.default_timeout ≤
// approval.max_timeout. A violation is reported at whichever of the two keys was set last (the
// line or variable that broke the rule), naming that key and the other one's value.
void checkConsistency(const Config& config, Diagnostics& diagnostics);

}  // namespace orion::config
