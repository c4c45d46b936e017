#include "links/tracking.h"

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "changes/change_options.h"

namespace almanac::links {

Status StartTracking(const db::Registry& registry, const DatabaseConfigLookup& config,
                     Tracking& tracking) {
  for (const auto& database : registry.all()) {
    const std::string& name = database->name();
    auto failed = [&name](const Status& status) {
      return Status(status.code(), "databases." + name + ": " + status.message());
    };
    const format::JsonValue* db_config = config(name);
    Result<std::optional<changes::ChangeLogOptions>> log_wanted =
        changes::ParseChangeLogOptions(db_config);
    if (!log_wanted.ok()) return failed(log_wanted.status());
    Result<std::optional<LinkOptions>> links_wanted = ParseLinkOptions(db_config);
    if (!links_wanted.ok()) return failed(links_wanted.status());
    if (!log_wanted->has_value() && !links_wanted->has_value()) continue;
    std::vector<changes::RowSink*> sinks;
    if (links_wanted->has_value()) {
      ALM_ASSIGN_OR_RETURN(std::unique_ptr<LinkIndex> index,
                           LinkIndex::Open(*database, **links_wanted));
      sinks.push_back(index.get());
      tracking.link_indexes.Add(name, std::move(index));
    }
    changes::ChangeLogOptions log_options;
    if (log_wanted->has_value()) {
      log_options = **log_wanted;
    } else {
      log_options.events = false;  // capture for the index only
    }
    ALM_ASSIGN_OR_RETURN(std::unique_ptr<changes::ChangeLog> log,
                         changes::ChangeLog::Attach(*database, log_options, std::move(sinks)));
    tracking.change_logs.Add(name, std::move(log));
  }
  return Status::Ok();
}

}  // namespace almanac::links
