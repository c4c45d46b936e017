// Tracking: the change logs and backlinks indexes of an instance, started for the databases
// whose config turns them on (`databases.<db>.changes`, `databases.<db>.links`; docs/changes.md,
// docs/links.md). A links index is fed by its database's change capture, so a database with
// only `links` gets a change log that records no events.
#pragma once

#include <functional>
#include <string_view>

#include "changes/change_log.h"
#include "core/result.h"
#include "db/database.h"
#include "format/json_value.h"
#include "links/link_index.h"

namespace almanac::links {

struct Tracking {
  // Declared first, destroyed last: the change logs hold pointers to the indexes.
  LinkIndexes link_indexes;
  changes::ChangeLogs change_logs;
};

// The config block of a database (`databases.<name>`), or null.
using DatabaseConfigLookup = std::function<const format::JsonValue*(std::string_view name)>;

// Opens the indexes and attaches the change logs; an error names the database.
Status StartTracking(const db::Registry& registry, const DatabaseConfigLookup& config,
                     Tracking& tracking);

}  // namespace almanac::links
