#include "api/changes_feed.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "api/resolve.h"
#include "changes/change_reader.h"
#include "format/json_writer.h"

namespace almanac::api {
namespace {

// Events looked at per page at most, as a multiple of the page size: a reader who may see few
// tables gets a short page and a cursor rather than a scan of the whole log.
constexpr size_t kScanFactor = 10;
// Writes (rows of the log) read per page at most: a `table=` page of a table written rarely
// among many others ends early with a cursor rather than reading the whole log.
constexpr size_t kWritesPerRead = 5000;

std::optional<int64_t> ParseWhole(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

Result<ChangesArgs> ParseChangesArgs(const Instance& instance, const Request& request,
                                     std::string_view database, bool stream) {
  ChangesArgs args;
  args.database = std::string(database);
  if (!instance.registry.Find(database)) {
    return NotFound("Database not found").About(ErrorSubject::kDatabase);
  }
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewDatabase,
                              auth::Resource::Database(args.database),
                              "You do not have permission to view this database"));
  args.log = instance.change_logs ? instance.change_logs->Find(database) : nullptr;
  if (args.log && !args.log->options().events) args.log = nullptr;  // capture for links only
  if (!args.log) {
    return NotFound("The change feed is off for this database: turn it on with databases." +
                    args.database + ".changes in the config");
  }
  const std::string* since = request.Arg("since");
  const std::string* last_event = stream ? request.Header("last-event-id") : nullptr;
  if (since) {
    std::optional<int64_t> value = ParseWhole(*since);
    if (!value) return InvalidArgument("since must be a whole number (an event's seq)");
    args.since = *value;
  } else if (last_event && ParseWhole(*last_event)) {
    args.since = *ParseWhole(*last_event);
  } else {
    // A page starts at the oldest event; a new stream at the next one.
    args.since = stream ? args.log->last_seq() : 0;
  }
  if (const std::string* table = request.Arg("table"); table && !table->empty()) {
    args.table = *table;
    ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewTable,
                                auth::Resource::Table(args.database, *table),
                                "You do not have permission to view this table"));
  }
  int64_t max_size = std::max<int64_t>(1, instance.settings.max_returned_rows);
  args.size = static_cast<size_t>(std::min<int64_t>(100, max_size));
  if (const std::string* size = request.Arg("_size"); size && !size->empty()) {
    std::optional<int64_t> value = ParseWhole(*size);
    if (!value || *value < 1) return InvalidArgument("_size must be a positive whole number");
    if (*value > max_size) {
      return InvalidArgument("_size must be <= " + std::to_string(max_size));
    }
    args.size = static_cast<size_t>(*value);
  }
  return args;
}

bool ChangeVisibility::Visible(const std::string& table) {
  if (table.empty()) return true;
  auto found = known_.find(table);
  if (found != known_.end()) return found->second;
  bool allowed = instance_.permissions.Allowed(actor_, auth::Action::kViewTable,
                                               auth::Resource::Table(database_, table));
  known_.emplace(table, allowed);
  return allowed;
}

Result<std::string> ChangesPageJson(const Instance& instance, const Request& request,
                                    std::string_view database) {
  ALM_ASSIGN_OR_RETURN(ChangesArgs args, ParseChangesArgs(instance, request, database, false));
  db::Database* db = instance.registry.Find(database);
  ALM_ASSIGN_OR_RETURN(db::Connection * conn, db->ReadConnection());
  ChangeVisibility visibility(instance, request.actor, args.database);
  // The newest seq first: events committed while the page is read are left to the next one.
  int64_t last_seq = args.log->last_seq();
  std::vector<changes::ChangeEvent> page;
  int64_t cursor = args.since;
  size_t budget = args.size * kScanFactor;
  bool more = false;
  while (page.size() < args.size && cursor < last_seq) {
    if (budget == 0) {
      more = true;
      break;
    }
    size_t want = std::min(budget, args.size - page.size());
    int64_t read_through = cursor;
    ALM_ASSIGN_OR_RETURN(
        std::vector<changes::ChangeEvent> batch,
        changes::ReadChanges(*conn, cursor, args.table, want, kWritesPerRead, &read_through));
    budget -= std::min(budget, batch.size());
    for (changes::ChangeEvent& event : batch) {
      if (event.seq > last_seq) break;
      cursor = event.seq;
      if (visibility.Visible(event.table)) page.push_back(std::move(event));
    }
    if (batch.size() < want) {
      // Short of `want`: the log ended, or `table=` found too few of its events among the writes
      // read. Either way the page ends where the log was looked at.
      cursor = std::max(cursor, std::min(read_through, last_seq));
      more = cursor < last_seq;
      break;
    }
  }
  if (page.size() >= args.size && cursor < last_seq) more = true;
  std::string out;
  format::JsonWriter json(out);
  json.BeginObject();
  json.MemberBool("ok", true);
  json.Member("database", args.database);
  json.Key("changes");
  json.BeginArray();
  for (const changes::ChangeEvent& event : page) json.Raw(event.json);
  json.EndArray();
  json.Key("next");
  if (more) {
    json.Int(cursor);
  } else {
    json.Null();
  }
  json.Member("last_seq", std::max(last_seq, args.since));
  json.EndObject();
  return out;
}

}  // namespace almanac::api
