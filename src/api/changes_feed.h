// The change feed's reading side, shared by /<db>/-/changes.json (a page) and the event stream
// at /<db>/-/changes (web/change_stream.cc): the arguments, the permission filter (an actor sees
// the events of the tables it may view, and resyncs), and one page read from the log.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/context.h"
#include "changes/change_log.h"
#include "core/result.h"

namespace almanac::api {

struct ChangesArgs {
  std::string database;
  changes::ChangeLog* log = nullptr;
  int64_t since = 0;                 // events with seq > since
  std::optional<std::string> table;  // only this table's events
  size_t size = 100;                 // at most this many events per page
};

// Checks the database (found, viewable, its change log on) and the table (viewable) and reads
// ?since= (else `default_since`, or the Last-Event-ID header when `stream`), ?table=, ?_size=.
Result<ChangesArgs> ParseChangesArgs(const Instance& instance, const Request& request,
                                     std::string_view database, bool stream);

// Whether an actor may see a table's events (view-table), remembered per table.
class ChangeVisibility {
 public:
  ChangeVisibility(const Instance& instance, auth::MaybeActor actor, std::string database)
      : instance_(instance), actor_(std::move(actor)), database_(std::move(database)) {}
  // A resync that names no table ("") is visible to every reader of the database.
  bool Visible(const std::string& table);

 private:
  const Instance& instance_;
  auth::MaybeActor actor_;
  std::string database_;
  std::map<std::string, bool, std::less<>> known_;
};

// GET /<db>/-/changes.json: {"ok", "database", "changes": [...], "next", "last_seq"}. `next`
// is the cursor for the following page (null when the page reached the newest event);
// `last_seq` the newest event's seq, to poll from.
Result<std::string> ChangesPageJson(const Instance& instance, const Request& request,
                                    std::string_view database);

}  // namespace almanac::api
