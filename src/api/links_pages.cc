#include "api/links_pages.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "api/changes_feed.h"
#include "api/resolve.h"
#include "core/url.h"
#include "format/json_writer.h"
#include "links/link_index.h"
#include "links/link_reader.h"

namespace almanac::api {
namespace {

constexpr size_t kScanFactor = 10;

struct Target {
  const links::LinkIndex* index = nullptr;
  ResolvedTable resolved;
  std::string table;
  std::string pk;  // the key as text, as the index stores it
};

Result<Target> ResolveTarget(const Instance& instance, const Request& request,
                             std::string_view database) {
  if (!instance.registry.Find(database)) {
    return NotFound("Database not found").About(ErrorSubject::kDatabase);
  }
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewDatabase,
                              auth::Resource::Database(std::string(database)),
                              "You do not have permission to view this database"));
  const links::LinkIndex* index =
      instance.link_indexes ? instance.link_indexes->Find(database) : nullptr;
  if (!index) {
    return NotFound("The links index is off for this database: turn it on with databases." +
                    std::string(database) + ".links in the config");
  }
  const std::string* target = request.Arg("target");
  size_t slash = target ? target->rfind('/') : std::string::npos;
  if (!target || slash == std::string::npos || slash == 0 || slash + 1 == target->size()) {
    return InvalidArgument("target must be TABLE/PK (the row's table and primary key)");
  }
  Target out;
  out.index = index;
  out.table = target->substr(0, slash);
  out.pk = TildeDecode(target->substr(slash + 1));
  ALM_ASSIGN_OR_RETURN(out.resolved, ResolveTable(instance, database, out.table));
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewTable,
                              auth::Resource::Table(std::string(database), out.table),
                              "You do not have permission to view this table"));
  return out;
}

void WriteTarget(format::JsonWriter& json, std::string_view database, const Target& target) {
  json.Member("database", database);
  json.Key("target");
  json.BeginObject();
  json.Member("table", target.table);
  json.Member("pk", target.pk);
  json.EndObject();
}

// "table,column,pk", each part tilde-encoded.
std::string NextToken(const links::LinkingRow& row) {
  return TildeEncode(row.table) + "," + TildeEncode(row.column) + "," + TildeEncode(row.pk);
}

std::optional<links::LinkingRow> ParseToken(std::string_view token) {
  size_t first = token.find(',');
  size_t second = first == std::string_view::npos ? first : token.find(',', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  return links::LinkingRow{TildeDecode(token.substr(0, first)),
                           TildeDecode(token.substr(first + 1, second - first - 1)),
                           TildeDecode(token.substr(second + 1))};
}

}  // namespace

Result<std::string> LinksAllJson(const Instance& instance, const Request& request,
                                 std::string_view database) {
  ALM_ASSIGN_OR_RETURN(Target target, ResolveTarget(instance, request, database));
  ALM_ASSIGN_OR_RETURN(
      std::vector<links::SourceCount> counts,
      links::CountLinks(*target.index, *target.resolved.conn, target.table, target.pk));
  ChangeVisibility visibility(instance, request.actor, std::string(database));
  std::string out;
  format::JsonWriter json(out);
  json.BeginObject();
  json.MemberBool("ok", true);
  WriteTarget(json, database, target);
  int64_t total = 0;
  for (const links::SourceCount& count : counts) {
    if (visibility.Visible(count.table)) total += count.count;
  }
  json.Member("total", total);
  json.Key("links");
  json.BeginObject();
  for (size_t i = 0; i < counts.size();) {
    const std::string& table = counts[i].table;
    bool visible = visibility.Visible(table);
    if (visible) {
      json.Key(table);
      json.BeginObject();
    }
    for (; i < counts.size() && counts[i].table == table; ++i) {
      if (visible) json.Member(counts[i].column, counts[i].count);
    }
    if (visible) json.EndObject();
  }
  json.EndObject();
  json.EndObject();
  return out;
}

Result<std::string> LinksPageJson(const Instance& instance, const Request& request,
                                  std::string_view database) {
  ALM_ASSIGN_OR_RETURN(Target target, ResolveTarget(instance, request, database));
  std::optional<links::LinkSource> source;
  if (const std::string* text = request.Arg("source"); text && !text->empty()) {
    // TABLE.COLUMN: the table is the longest prefix before a dot that names a table.
    for (size_t dot = text->rfind('.'); dot != std::string::npos && dot > 0;
         dot = text->rfind('.', dot - 1)) {
      std::string table = text->substr(0, dot);
      if (target.resolved.schema->Find(table)) {
        source = links::LinkSource{table, text->substr(dot + 1)};
        break;
      }
    }
    if (!source) return InvalidArgument("source must be TABLE.COLUMN, naming a table");
    ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewTable,
                                auth::Resource::Table(std::string(database), source->table),
                                "You do not have permission to view the source table"));
  }
  int64_t max_size = std::max<int64_t>(1, instance.settings.max_returned_rows);
  size_t size = static_cast<size_t>(std::min<int64_t>(100, max_size));
  if (const std::string* text = request.Arg("_size"); text && !text->empty()) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < 1 || value > max_size) {
      return InvalidArgument("_size must be a whole number from 1 to " + std::to_string(max_size));
    }
    size = static_cast<size_t>(value);
  }
  std::optional<links::LinkingRow> after;
  if (const std::string* token = request.Arg("_next"); token && !token->empty()) {
    after = ParseToken(*token);
    if (!after) return InvalidArgument("_next is not a token this page gave");
  }
  db::Connection& conn = *target.resolved.conn;
  ChangeVisibility visibility(instance, request.actor, std::string(database));
  ALM_ASSIGN_OR_RETURN(std::vector<links::SourceCount> counts,
                       links::CountLinks(*target.index, conn, target.table, target.pk));
  int64_t total = 0;
  for (const links::SourceCount& count : counts) {
    if (source && (count.table != source->table || count.column != source->column)) continue;
    if (visibility.Visible(count.table)) total += count.count;
  }
  std::vector<links::LinkingRow> rows;
  size_t budget = size * kScanFactor;
  bool more = false;
  while (rows.size() < size) {
    if (budget == 0) {
      more = true;
      break;
    }
    size_t want = std::min(budget, size - rows.size() + 1);
    ALM_ASSIGN_OR_RETURN(
        std::vector<links::LinkingRow> batch,
        links::PageLinks(*target.index, conn, target.table, target.pk, source, after, want));
    budget -= std::min(budget, batch.size());
    for (links::LinkingRow& row : batch) {
      if (rows.size() == size) {
        more = true;
        break;
      }
      after = row;
      if (visibility.Visible(row.table)) rows.push_back(std::move(row));
    }
    if (more || batch.size() < want) break;
  }
  std::string out;
  format::JsonWriter json(out);
  json.BeginObject();
  json.MemberBool("ok", true);
  WriteTarget(json, database, target);
  json.Member("total", total);
  json.Key("rows");
  json.BeginArray();
  for (const links::LinkingRow& row : rows) {
    json.BeginObject();
    json.Member("table", row.table);
    json.Member("column", row.column);
    json.Key("pk");
    json.Raw(row.pk);
    json.EndObject();
  }
  json.EndArray();
  json.Key("next");
  if (more && after) {
    json.String(NextToken(*after));
  } else {
    json.Null();
  }
  json.EndObject();
  return out;
}

}  // namespace almanac::api
