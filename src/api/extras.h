// ?_extra= blocks (Datasette 1.0a37's extras registry): which names each page offers, the
// "Unknown _extra" check, and the blocks that are plain data shared by the table, row and
// query pages (request, metadata, column_details, the extras list itself...).
#pragma once

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "core/value.h"
#include "db/schema.h"
#include "format/json_value.h"

namespace almanac::api {

enum class ExtraScope { kTable, kRow, kQuery };

struct ExtraInfo {
  std::string_view name;
  std::string_view description;
  bool table = false;
  bool row = false;
  bool query = false;
};

// The public extras in Datasette's registry order.
std::span<const ExtraInfo> AllExtras();
bool ExtraAvailable(std::string_view name, ExtraScope scope);

// The names asked for with ?_extra= (repeated and/or comma-separated), deduplicated.
std::set<std::string> RequestedExtras(const Request& request);

// InvalidArgument "Unknown _extra: a, b" (sorted) for names this page does not offer.
Status ValidateExtras(const std::set<std::string>& requested, ExtraScope scope);

// The "extras" block: every extra of the scope with its toggle URL and whether it is selected.
format::JsonValue ExtrasListJson(const Request& request, ExtraScope scope,
                                 const std::set<std::string>& selected);

// {"url", "path", "full_path", "host", "args": {name: [values]}}.
format::JsonValue RequestJson(const Request& request);

// {column: {"type", "sqlite_type", "notnull", "default", "is_pk", "pk_position", "hidden"}}.
format::JsonValue ColumnDetailsJson(const db::TableInfo& table);

// A table's metadata block (title, description, ...) with "columns": {name: description}.
format::JsonValue TableMetadataJson(const Instance& instance, std::string_view database,
                                    std::string_view table);

// SQLite's affinity name for a declared type, as Datasette's SQLiteType reports it.
std::string_view SqliteTypeName(std::string_view declared);

// A cell as JSON (blobs as {"$base64": true, "encoded": ...}).
format::JsonValue ValueToJson(const Value& value);

// The request's url_vars as ?_extra=debug shows them: {"database": ..., "table": ...,
// "format": "json" or null}.
format::JsonValue UrlVarsJson(const Request& request);

// True when the actor can see the resource but an anonymous user could not (Datasette's
// "private").
bool IsPrivate(const Instance& instance, const Request& request, auth::Action action,
               const auth::Resource& resource);

// One {} per row: no render_cell plugins exist, so no cell renders differently.
format::JsonValue EmptyRenderCells(size_t rows);

}  // namespace almanac::api
