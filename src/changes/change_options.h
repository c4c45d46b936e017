// The change log's settings for one database, from `databases.<db>.changes` in the config:
// `true` turns it on with the defaults; an object sets them:
//   changes: {old_values: true, max_rows: 100000, max_age_days: 30, heartbeat_seconds: 15}
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/result.h"
#include "format/json_value.h"

namespace almanac::changes {

struct ChangeLogOptions {
  bool events = true;       // record events in _almanac_changes (false: capture for sinks only)
  bool old_values = false;  // record the old values of updated and deleted rows
  int64_t max_rows = 0;     // keep at most this many events (0: no limit)
  int64_t max_age_ms = 0;   // drop events older than this (0: no limit)
  std::chrono::milliseconds heartbeat{15000};    // SSE comment lines when nothing happens
  std::chrono::milliseconds outside_poll{1000};  // how often writes by others are looked for
};

// nullopt when the log is off for that database (no `changes` key, or false); an error for a
// malformed block.
Result<std::optional<ChangeLogOptions>> ParseChangeLogOptions(const format::JsonValue* db_config);

}  // namespace almanac::changes
