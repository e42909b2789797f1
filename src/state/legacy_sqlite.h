// Reading a StateStore written by ORION up to stop 17, when each module's safety state was a
// SQLite database (`<state_dir>/<module>/state.db`: one table `state (tbl, key, value)`, marked
// with application_id "ORIO"). The store imports it once into its log, then removes it.
#pragma once

#include <filesystem>
#include <functional>

#include "common/status.h"
#include "state/state_store.h"

namespace orion::state {

// Calls `row` with a kPut for every stored (table, key, value). kDataLoss if `file` is not such a
// database, kUnavailable if it cannot be read (or is in use by another process).
Status importSqliteStore(const std::filesystem::path& file,
                         const std::function<void(const Write&)>& row);

}  // namespace orion::state
