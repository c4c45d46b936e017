#include "api/extras.h"

#include <algorithm>

#include "api/urls.h"
#include "format/base64.h"

namespace almanac::api {
namespace {

using format::JsonValue;

constexpr ExtraInfo kExtras[] = {
    {"count", "Total count of rows matching these filters", true, false, false},
    {"count_truncated",
     "True if the count hit Datasette's counting limit, meaning the real number of matching "
     "rows is at least the reported count.",
     true, false, false},
    {"count_sql",
     "SQL query string used to calculate the total count for the current table view, "
     "including active filters.",
     true, false, false},
    {"facet_results",
     "Results of facets calculated against this data. A dictionary with ``results`` and "
     "``timed_out`` keys: ``results`` maps facet names to facet dictionaries with ``name``, "
     "``type``, ``results`` and URL keys, and each facet result item includes ``value``, "
     "``label``, ``count`` and ``toggle_url``.",
     true, false, false},
    {"facets_timed_out", "List of names of facet calculations that exceeded the facet time limit.",
     true, false, false},
    {"suggested_facets",
     "Suggestions for facets that might return interesting results. Each item is a "
     "dictionary with ``name`` and ``toggle_url`` keys, and may include extra keys such as "
     "``type`` or ``label`` depending on the facet class.",
     true, false, false},
    {"human_description_en", "Human-readable description of the filters", true, false, false},
    {"columns", "List of column names returned by this table, row or query.", true, true, true},
    {"all_columns",
     "List of all column names in the table, regardless of ``_col=`` or ``_nocol=`` "
     "filtering.",
     true, false, false},
    {"primary_keys",
     "List of primary key column names for this table, or an empty list if the table has no "
     "explicit primary key.",
     true, true, false},
    {"column_details",
     "SQLite schema details for columns in this table. The dictionary maps column names to "
     "objects describing the schema for each column.",
     true, true, false},
    {"display_columns",
     "Column metadata used by the HTML table display. Each item includes ``name``, "
     "``sortable``, ``is_pk``, ``type``, ``notnull``, ``description``, ``column_type`` and "
     "``column_type_config`` keys.",
     true, false, false},
    {"render_cell", "Rendered HTML for each cell using the render_cell plugin hook", true, true,
     true},
    {"debug",
     "Extra debug information dictionary. This is intended for development only and its "
     "shape is not part of the stable template contract.",
     true, true, true},
    {"request",
     "Dictionary with request details: ``url``, ``path``, ``full_path``, ``host`` and "
     "``args`` where ``args`` maps query string parameter names to their values.",
     true, true, true},
    {"query",
     "Details of the underlying SQL query as a dictionary with ``sql`` and ``params`` keys.", true,
     true, true},
    {"column_types",
     "Column type assignments for this table. A dictionary mapping column names to "
     "``{\"type\": type_name, \"config\": config}`` dictionaries.",
     true, true, false},
    {"set_column_type_ui",
     "Information needed to build an interface for assigning column types, or ``None`` if "
     "unavailable. When present it has ``path`` and ``columns`` keys; ``columns`` maps column "
     "names to ``current`` and ``options`` values.",
     true, false, false},
    {"metadata",
     "Metadata dictionary for the table, database or stored query. Table and row metadata "
     "include a ``columns`` dictionary mapping column names to descriptions; stored query "
     "metadata returns the stored query configuration.",
     true, true, true},
    {"extras",
     "List of ``?_extra=`` blocks that can be used on this page. Each item has ``name``, "
     "``description``, ``toggle_url`` and ``selected`` keys.",
     true, true, true},
    {"database", "Database name", true, true, true},
    {"table", "Table name", true, true, false},
    {"database_color", "Color assigned to the database", true, true, true},
    {"renderers",
     "Dictionary mapping output format names such as ``json`` or plugin-provided renderer "
     "names to URLs for this data in that format.",
     true, false, false},
    {"custom_table_templates",
     "List of custom template names considered for rendering table rows, in lookup order.", true,
     false, false},
    {"sorted_facet_results",
     "Facet result dictionaries sorted for display. Each item has the same shape as an entry "
     "from ``facet_results['results']``.",
     true, false, false},
    {"table_definition", "SQL definition for this table", true, false, false},
    {"view_definition", "SQL definition for this view", true, false, false},
    {"is_view", "Whether this resource is a view instead of a table", true, false, false},
    {"private", "Whether this resource is private to the current actor", true, true, true},
    {"expandable_columns",
     "List of foreign key columns that can be expanded with labels. Each item is a "
     "``(foreign_key, label_column)`` pair where ``foreign_key`` is the SQLite foreign key "
     "dictionary and ``label_column`` is the label column in the referenced table, or "
     "``None``.",
     true, false, false},
    {"foreign_key_tables",
     "List of tables that link to this row using foreign keys. Each item includes the foreign "
     "key fields plus ``count`` for matching rows and ``link`` for the filtered table URL.",
     false, true, false},
    {"form_hidden_args",
     "List of ``(name, value)`` pairs for hidden form fields used by the HTML table interface "
     "to preserve current query string options.",
     true, false, false},
};

bool InScope(const ExtraInfo& info, ExtraScope scope) {
  switch (scope) {
    case ExtraScope::kTable:
      return info.table;
    case ExtraScope::kRow:
      return info.row;
    case ExtraScope::kQuery:
      return info.query;
  }
  return false;
}

}  // namespace

std::span<const ExtraInfo> AllExtras() { return kExtras; }

bool ExtraAvailable(std::string_view name, ExtraScope scope) {
  return std::any_of(std::begin(kExtras), std::end(kExtras),
                     [&](const ExtraInfo& e) { return e.name == name && InScope(e, scope); });
}

std::set<std::string> RequestedExtras(const Request& request) {
  std::set<std::string> out;
  for (const std::string& bit : request.Args("_extra")) {
    size_t start = 0;
    for (;;) {
      size_t comma = bit.find(',', start);
      std::string part = bit.substr(start, comma - start);
      if (!part.empty()) out.insert(std::move(part));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

Status ValidateExtras(const std::set<std::string>& requested, ExtraScope scope) {
  std::string unknown;
  for (const std::string& name : requested) {  // a std::set: already sorted
    if (ExtraAvailable(name, scope)) continue;
    if (!unknown.empty()) unknown += ", ";
    unknown += name;
  }
  if (unknown.empty()) return Status::Ok();
  return InvalidArgument("Unknown _extra: " + unknown);
}

JsonValue ExtrasListJson(const Request& request, ExtraScope scope,
                         const std::set<std::string>& selected) {
  JsonValue::Array list;
  for (const ExtraInfo& e : kExtras) {
    if (!InScope(e, scope)) continue;
    std::string name(e.name);
    bool on = selected.count(name) > 0;
    std::string path = on ? PathWithRemovedPairs(request, {{"_extra", name}})
                          : PathWithAddedArgs(request, {{"_extra", name}});
    JsonValue item = JsonValue::MakeObject();
    item.Set("name", JsonValue::String(name));
    item.Set("description", JsonValue::String(std::string(e.description)));
    item.Set("toggle_url", JsonValue::String(request.AbsoluteUrl(path)));
    item.Set("selected", JsonValue::Bool(on));
    list.push_back(std::move(item));
  }
  return JsonValue::MakeArray(std::move(list));
}

JsonValue RequestJson(const Request& request) {
  JsonValue args = JsonValue::MakeObject();
  for (const auto& [k, v] : request.args) {
    bool found = false;
    for (auto& [name, values] : args.as_object()) {
      if (name == k) {
        values.as_array().push_back(JsonValue::String(v));
        found = true;
      }
    }
    if (!found) args.Set(k, JsonValue::MakeArray({JsonValue::String(v)}));
  }
  JsonValue out = JsonValue::MakeObject();
  out.Set("url", JsonValue::String(request.AbsoluteUrl(request.PathWithQuery())));
  out.Set("path", JsonValue::String(request.path));
  out.Set("full_path", JsonValue::String(request.PathWithQuery()));
  out.Set("host", JsonValue::String(request.host));
  out.Set("args", std::move(args));
  return out;
}

std::string_view SqliteTypeName(std::string_view declared) { return db::AffinityOf(declared); }

JsonValue ColumnDetailsJson(const db::TableInfo& table) {
  JsonValue out = JsonValue::MakeObject();
  for (const db::ColumnInfo& c : table.columns) {
    JsonValue d = JsonValue::MakeObject();
    d.Set("type", JsonValue::String(c.type));
    d.Set("sqlite_type", JsonValue::String(std::string(SqliteTypeName(c.type))));
    d.Set("notnull", JsonValue::Bool(c.notnull));
    d.Set("default", c.default_value ? JsonValue::String(*c.default_value) : JsonValue());
    d.Set("is_pk", JsonValue::Bool(c.pk > 0));
    d.Set("pk_position", JsonValue::Int(c.pk));
    d.Set("hidden", JsonValue::Int(c.hidden));
    out.Set(c.name, std::move(d));
  }
  return out;
}

JsonValue TableMetadataJson(const Instance& instance, std::string_view database,
                            std::string_view table) {
  JsonValue out = JsonValue::MakeObject();
  JsonValue columns = JsonValue::MakeObject();
  if (const JsonValue* meta = instance.config.TableMetadata(database, table);
      meta && meta->is_object()) {
    for (const auto& [k, v] : meta->as_object()) {
      if (k == "columns") {
        if (v.is_object()) {
          for (const auto& [column, description] : v.as_object()) {
            columns.Set(column, description);
          }
        }
        continue;
      }
      out.Set(k, v);
    }
  }
  out.Set("columns", std::move(columns));
  return out;
}

JsonValue UrlVarsJson(const Request& request) {
  JsonValue vars = JsonValue::MakeObject();
  for (const auto& [name, value] : request.url_vars) {
    vars.Set(name, value ? JsonValue::String(*value) : JsonValue());
  }
  return vars;
}

JsonValue ValueToJson(const Value& value) {
  switch (value.type()) {
    case Value::Type::kNull:
      return JsonValue();
    case Value::Type::kInteger:
      return JsonValue::Int(value.integer());
    case Value::Type::kReal:
      return JsonValue::Double(value.real());
    case Value::Type::kText:
      return JsonValue::String(value.text());
    case Value::Type::kBlob: {
      JsonValue blob = JsonValue::MakeObject();
      blob.Set("$base64", JsonValue::Bool(true));
      blob.Set("encoded", JsonValue::String(format::Base64Encode(value.blob())));
      return blob;
    }
  }
  return JsonValue();
}

bool IsPrivate(const Instance& instance, const Request& request, auth::Action action,
               const auth::Resource& resource) {
  return instance.permissions.Allowed(request.actor, action, resource) &&
         !instance.permissions.Allowed(std::nullopt, action, resource);
}

JsonValue EmptyRenderCells(size_t rows) {
  JsonValue::Array cells(rows, JsonValue::MakeObject());
  return JsonValue::MakeArray(std::move(cells));
}

}  // namespace almanac::api
