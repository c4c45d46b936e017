#include "api/table_extras.h"

#include <algorithm>

#include "api/blob.h"
#include "api/catalog.h"
#include "api/extras.h"
#include "api/facets.h"
#include "api/labels.h"
#include "api/urls.h"
#include "core/url.h"
#include "format/json_value.h"

namespace almanac::api {
namespace {

using format::JsonValue;

// Datasette's Database.count_limit: counts stop at this many rows (plus one, to tell).
constexpr int64_t kCountLimit = 10000;

bool Wants(const std::set<std::string>& extras, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(),
                     [&](const char* n) { return extras.count(n) > 0; });
}

Status ComputeCount(const TableState& s, std::optional<uint64_t> generation, TablePage& page) {
  if (s.nocount) return Status::Ok();
  // An unfiltered immutable table counted ahead by `almanac inspect` (--inspect-file).
  if (s.select.where.empty()) {
    if (std::optional<int64_t> known = s.resolved.db->InspectedCount(s.resolved.table->name)) {
      page.count = *known;
      return Status::Ok();
    }
  }
  Result<db::Rows> rows =
      CachedQuery(s.resolved, generation, sql::BuildCappedCount(s.select, kCountLimit + 1),
                  LimitsWithin(s.instance, 0));
  if (!rows.ok()) {
    if (rows.status().code() == ErrorCode::kDeadlineExceeded) return Status::Ok();
    return rows.status();
  }
  if (!rows->empty() && rows->at(0, 0).type() == Value::Type::kInteger) {
    page.count = rows->at(0, 0).integer();
    page.count_truncated = *page.count == kCountLimit + 1;
  }
  return Status::Ok();
}

std::string Description(const TableState& s, const TablePage& page) {
  std::string text = HumanDescription(s.filters);
  const std::optional<std::string>& sorted = page.sort ? page.sort : page.sort_desc;
  if (sorted) {
    std::string by = "sorted by " + *sorted + (page.sort_desc ? " descending" : "");
    text = text.empty() ? by : text + " " + by;
  }
  return text;
}

std::vector<DisplayColumn> DisplayColumns(const TableState& s, const TablePage& page) {
  const db::TableInfo& table = *s.resolved.table;
  const JsonValue* meta = s.instance.config.TableMetadata(page.database, table.name);
  const JsonValue* descriptions = meta ? meta->Find("columns") : nullptr;
  auto sortable = [&](const std::string& c) {
    return std::find(page.sortable_columns.begin(), page.sortable_columns.end(), c) !=
           page.sortable_columns.end();
  };
  std::vector<DisplayColumn> out;
  for (const std::string& name : page.rows.columns) {
    DisplayColumn d;
    d.name = name;
    d.sortable = sortable(name);
    d.is_pk = page.use_rowid ? name == "rowid"
                             : std::find(page.primary_keys.begin(), page.primary_keys.end(),
                                         name) != page.primary_keys.end();
    if (const db::ColumnInfo* c = table.FindColumn(name)) {
      d.type = c->type;
      d.notnull = c->notnull;
    } else if (name == "rowid") {
      d.type = "integer";
    }
    if (descriptions) {
      const JsonValue* desc = descriptions->Find(name);
      if (desc && desc->is_string()) d.description = desc->as_string();
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::string Definition(const TableState& s, bool view) {
  const db::TableInfo& table = *s.resolved.table;
  if (table.is_view() != view) return "";
  std::string out = table.sql + ";";
  for (const auto& [owner, sql] : s.resolved.schema->index_sql()) {
    if (owner == table.name) out += "\n" + sql + ";";
  }
  return out;
}

JsonValue ColumnTypesJson(const TableState& s) {
  JsonValue out = JsonValue::MakeObject();
  const JsonValue* t = s.instance.config.TableConfig(s.resolved.db->name(), s.resolved.table->name);
  const JsonValue* types = t ? t->Find("column_types") : nullptr;
  if (!types || !types->is_object()) return out;
  for (const auto& [column, spec] : types->as_object()) {
    JsonValue entry = JsonValue::MakeObject();
    if (spec.is_string()) {
      entry.Set("type", spec);
      entry.Set("config", JsonValue());
    } else if (spec.is_object()) {
      const JsonValue* type = spec.Find("type");
      const JsonValue* config = spec.Find("config");
      entry.Set("type", type ? *type : JsonValue());
      entry.Set("config", config ? *config : JsonValue());
    } else {
      continue;
    }
    out.Set(column, std::move(entry));
  }
  return out;
}

JsonValue SetColumnTypeUi(const TableState& s, const TablePage& page) {
  const db::TableInfo& table = *s.resolved.table;
  if (table.is_view() ||
      !s.instance.permissions.Allowed(s.request.actor, auth::Action::kSetColumnType,
                                      auth::Resource::Table(page.database, table.name))) {
    return JsonValue();
  }
  static constexpr std::pair<const char*, const char*> kTypes[] = {{"email", "Email address"},
                                                                   {"json", "JSON data"},
                                                                   {"textarea", "Multiline text"},
                                                                   {"url", "URL"}};
  JsonValue current_types = ColumnTypesJson(s);
  JsonValue columns = JsonValue::MakeObject();
  for (const db::ColumnInfo& c : table.columns) {
    JsonValue::Array options;
    if (SqliteTypeName(c.type) == "TEXT") {
      for (const auto& [name, description] : kTypes) {
        JsonValue o = JsonValue::MakeObject();
        o.Set("name", JsonValue::String(name));
        o.Set("description", JsonValue::String(description));
        options.push_back(std::move(o));
      }
    }
    JsonValue entry = JsonValue::MakeObject();
    const JsonValue* current = current_types.Find(c.name);
    entry.Set("current", current ? *current : JsonValue());
    entry.Set("options", JsonValue::MakeArray(std::move(options)));
    columns.Set(c.name, std::move(entry));
  }
  JsonValue out = JsonValue::MakeObject();
  out.Set("path", JsonValue::String(
                      s.instance.urls().TableAction(page.database, table.name, "set-column-type")));
  out.Set("columns", std::move(columns));
  return out;
}

JsonValue FormHiddenArgs(const Request& request) {
  JsonValue::Array out;
  std::vector<std::string> keys;
  for (const auto& [k, v] : request.args) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  for (const std::string& key : keys) {
    if (!key.starts_with("_") || key.find("__") != std::string::npos) continue;
    if (key == "_sort" || key == "_sort_desc" || key == "_search" || key == "_next") continue;
    for (const std::string& value : request.Args(key)) {
      out.push_back(JsonValue::MakeArray({JsonValue::String(key), JsonValue::String(value)}));
    }
  }
  return JsonValue::MakeArray(std::move(out));
}

JsonValue DebugJson(const TableState& s, const TablePage& page) {
  JsonValue out = JsonValue::MakeObject();
  out.Set("url_vars", UrlVarsJson(s.request));
  out.Set("resolved",
          JsonValue::String("ResolvedTable(db=<Database: " + page.database + ">, table='" +
                            page.table + "', is_view=" + (page.is_view ? "True" : "False") + ")"));
  out.Set("nofacet", JsonValue::Bool(s.nofacet));
  out.Set("nosuggest", JsonValue::Bool(s.nosuggest));
  return out;
}

Status ComputeFacetBlocks(const TableState& s, const std::set<std::string>& extras,
                          std::optional<uint64_t> generation, TablePage& page) {
  bool results = Wants(extras, {"facet_results", "facets_timed_out", "sorted_facet_results"});
  bool suggest = extras.count("suggested_facets") > 0;
  if (!results && !suggest) return Status::Ok();
  ALM_ASSIGN_OR_RETURN(std::vector<FacetConfig> configs,
                       LoadFacetConfigs(s.request, s.options, *s.resolved.table));
  for (const FacetConfig& c : configs) {
    if (c.from_metadata) page.configured_facets.push_back(c.column);
  }
  FacetContext ctx{s.instance, s.request, s.resolved, s.options, {}, generation};
  ctx.source.table = s.select.table;
  ctx.source.where = sql::WhereOnly(s.select);
  ctx.source.inner = sql::BuildInnerSelect(s.select);
  if (results && !s.nofacet) {
    ALM_ASSIGN_OR_RETURN(FacetOutcome outcome, ComputeFacets(ctx, configs));
    page.facet_results = std::move(outcome.results);
    page.facets_timed_out = std::move(outcome.timed_out);
  }
  const config::Settings& settings = s.instance.settings;
  if (suggest && settings.suggest_facets && settings.allow_facet && !s.request.HasArg("_next") &&
      !s.nofacet && !s.nosuggest) {
    ALM_ASSIGN_OR_RETURN(page.suggested_facets, SuggestFacets(ctx, configs, page.count));
  }
  return Status::Ok();
}

}  // namespace

const std::set<std::string>& HtmlTableExtras() {
  static const std::set<std::string> kBundle = {"suggested_facets",
                                                "facet_results",
                                                "facets_timed_out",
                                                "count",
                                                "count_sql",
                                                "human_description_en",
                                                "metadata",
                                                "query",
                                                "columns",
                                                "display_columns",
                                                "database",
                                                "table",
                                                "database_color",
                                                "renderers",
                                                "custom_table_templates",
                                                "sorted_facet_results",
                                                "table_definition",
                                                "view_definition",
                                                "is_view",
                                                "private",
                                                "primary_keys",
                                                "all_columns",
                                                "expandable_columns",
                                                "form_hidden_args",
                                                "set_column_type_ui"};
  return kBundle;
}

std::string PathWithFormat(const Request& request, std::string_view format,
                           std::vector<std::pair<std::string, std::string>> extra) {
  std::string path = request.path;
  if (path.find('.') != std::string::npos) {
    extra.emplace_back("_format", std::string(format));
  } else {
    path += "." + std::string(format);
  }
  std::sort(extra.begin(), extra.end());
  std::string qs = EncodeQueryString(extra);
  if (!qs.empty()) {
    path += "?" + (request.query_string.empty() ? qs : request.query_string + "&" + qs);
  } else if (!request.query_string.empty()) {
    path += "?" + request.query_string;
  }
  return path;
}

Status ResolveTableExtras(const TableState& s, std::set<std::string> extras, TablePage& page) {
  std::optional<uint64_t> generation;
  if (Wants(extras, {"count", "count_truncated", "facet_results", "facets_timed_out",
                     "sorted_facet_results", "suggested_facets"})) {
    ALM_ASSIGN_OR_RETURN(generation, s.resolved.db->ChangeGeneration());
  }
  if (Wants(extras, {"count", "count_truncated", "suggested_facets"})) {
    ALM_RETURN_IF_ERROR(ComputeCount(s, generation, page));
  }
  ALM_RETURN_IF_ERROR(ComputeFacetBlocks(s, extras, generation, page));
  page.count_sql = sql::ToNamedParams(sql::BuildCountDisplay(s.select)).sql;
  page.human_description_en = Description(s, page);
  if (extras.count("display_columns")) page.display_columns = DisplayColumns(s, page);
  if (Wants(extras, {"expandable_columns", "renderers"})) {
    for (const db::ForeignKey& fk :
         ViewableForeignKeys(s.instance, s.request, page.database, s.resolved.table->outgoing)) {
      const db::TableInfo* other = s.resolved.schema->Find(fk.other_table);
      std::optional<std::string> label;
      if (other) {
        ALM_ASSIGN_OR_RETURN(label, LabelColumnForTable(s.instance, s.resolved, *other));
      }
      page.expandable_columns.push_back({fk, label});
    }
  }

  const Request& request = s.request;
  auto set = [&](const char* name, JsonValue value) {
    if (extras.count(name)) page.extra_json.emplace_back(name, std::move(value));
  };
  set("column_details", ColumnDetailsJson(*s.resolved.table));
  set("render_cell", EmptyRenderCells(page.row_count()));
  if (extras.count("debug")) set("debug", DebugJson(s, page));
  if (extras.count("request")) set("request", RequestJson(request));
  if (extras.count("column_types")) set("column_types", ColumnTypesJson(s));
  if (extras.count("set_column_type_ui")) set("set_column_type_ui", SetColumnTypeUi(s, page));
  if (extras.count("metadata")) {
    set("metadata", TableMetadataJson(s.instance, page.database, page.table));
  }
  if (extras.count("extras")) set("extras", ExtrasListJson(request, ExtraScope::kTable, extras));
  set("database_color", JsonValue::String(DatabaseColor(page.database)));
  if (extras.count("renderers")) {
    std::vector<std::pair<std::string, std::string>> labels;
    if (!page.expandable_columns.empty()) labels.emplace_back("_labels", "on");
    JsonValue renderers = JsonValue::MakeObject();
    renderers.Set("json", JsonValue::String(PathWithFormat(request, "json", labels)));
    set("renderers", std::move(renderers));
  }
  std::string db_css = ToCssClass(page.database);
  std::string table_css = ToCssClass(page.table);
  set("custom_table_templates",
      JsonValue::MakeArray({JsonValue::String("_table-" + db_css + "-" + table_css + ".html"),
                            JsonValue::String("_table-table-" + db_css + "-" + table_css + ".html"),
                            JsonValue::String("_table.html")}));
  bool definition_viewable = Wants(extras, {"table_definition", "view_definition"}) &&
                             DefinitionViewable(s.instance, request, s.resolved);
  std::string table_def = definition_viewable ? Definition(s, false) : "";
  std::string view_def = definition_viewable ? Definition(s, true) : "";
  set("table_definition", table_def.empty() ? JsonValue() : JsonValue::String(table_def));
  set("view_definition", view_def.empty() ? JsonValue() : JsonValue::String(view_def));
  set("form_hidden_args", FormHiddenArgs(request));
  page.extras.assign(extras.begin(), extras.end());
  return Status::Ok();
}

}  // namespace almanac::api
