// The index (/) and database (/<db>) pages.
#include "api/catalog.h"
#include "core/url.h"
#include "ui/html.h"
#include "ui/view.h"

namespace almanac::ui {
namespace {

// "12,345 rows", ">10,000 rows", or "" when the count is unknown.
std::string CountText(const api::TableSummary& t) {
  if (!t.count) return "";
  if (t.count_truncated) return ">" + Plural(*t.count - 1, "row", "rows");
  return Plural(*t.count, "row", "rows");
}

std::string IndexSummary(const api::IndexDatabase& db) {
  std::string out;
  if (db.show_table_row_counts) out += Plural(db.table_rows_sum, "row", "rows") + " in ";
  out += Plural(db.tables_count, "table", "tables");
  if (db.hidden_tables_count) {
    out += ", ";
    if (db.show_table_row_counts) out += Plural(db.hidden_table_rows_sum, "row", "rows") + " in ";
    out += Plural(db.hidden_tables_count, "hidden table", "hidden tables");
  }
  if (db.views_count) out += ", " + Plural(db.views_count, "view", "views");
  return out;
}

// A SQL identifier as SQLite reads it: plain names bare, others in double quotes.
std::string SqlName(std::string_view name) {
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      plain = false;
  }
  if (plain) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Data MetadataData(const format::JsonValue& metadata) {
  Data meta;
  bool any = false;
  for (const char* key : {"description", "description_html", "license", "license_url", "source",
                          "source_url", "about", "about_url"}) {
    const format::JsonValue* v = metadata.Find(key);
    if (v && v->is_string() && !v->as_string().empty()) {
      meta.set(std::string("meta_") + key, v->as_string());
      any = true;
    }
  }
  meta.set("has_meta", any);
  return meta;
}

std::string Renderer::Index(const api::IndexPage& page, const RenderContext& ctx) const {
  Data data;
  const format::JsonValue* title = page.metadata.Find("title");
  std::string heading = title && title->is_string() ? title->as_string() : "Almanac";
  data.set("heading", heading);
  data.set("metadata", MetadataData(page.metadata));
  Data databases = List();
  std::string names;
  for (const api::IndexDatabase& db : page.databases) {
    Data d;
    d.set("name", db.name);
    d.set("href", db.path);
    d.set("color", db.color);
    d.set("anchor", "db-" + CssClass(db.name));
    d.set("summary", IndexSummary(db));
    Data tables = List();
    for (const api::TableSummary& t : db.tables) {
      Data item;
      item.set("name", t.name);
      item.set("href", db.path + "/" + TildeEncode(t.name));
      item.set("count_text", db.show_table_row_counts ? CountText(t) : "");
      tables.push_back(item);
    }
    for (const std::string& v : db.views) {
      Data item;
      item.set("name", v);
      item.set("href", db.path + "/" + TildeEncode(v));
      item.set("count_text", "view");
      tables.push_back(item);
    }
    d.set("tables", tables);
    d.set("more", db.tables_and_views_more);
    databases.push_back(d);
    names += (names.empty() ? "" : ", ") + db.name;
  }
  data.set("databases", databases);
  data.set("no_databases", page.databases.empty());
  Frame frame{heading + (names.empty() ? "" : ": " + names), "index", {}, ""};
  return RenderPage(assets_, "index", std::move(data), frame, ctx);
}

std::string Renderer::Database(const api::DatabasePage& page, const RenderContext& ctx) const {
  Data data;
  const format::JsonValue* title = page.metadata.Find("title");
  data.set("heading", title && title->is_string() ? title->as_string() : page.database);
  data.set("database", page.database);
  data.set("path", page.path);
  data.set("color", api::DatabaseColor(page.database));
  data.set("metadata", MetadataData(page.metadata));
  data.set("allow_execute_sql", page.allow_execute_sql);
  std::string first_table;
  bool show_hidden = ctx.request.HasArg("_show_hidden");
  Data tables = List();
  for (const api::TableSummary& t : page.tables) {
    if (first_table.empty() && !t.hidden) first_table = t.name;
    if (t.hidden && !show_hidden) continue;
    Data item;
    item.set("name", t.name);
    item.set("href", page.path + "/" + TildeEncode(t.name));
    item.set("hidden", t.hidden);
    std::string columns;
    for (const std::string& c : t.columns) columns += (columns.empty() ? "" : ", ") + c;
    item.set("columns", columns);
    item.set("count_text", t.count ? CountText(t) : "Many rows");
    item.set("fts", t.fts_table.has_value());
    tables.push_back(item);
  }
  data.set("tables", tables);
  data.set("has_tables", !page.tables.empty());
  data.set("default_sql", first_table.empty() ? "select sqlite_version()"
                                              : "select * from " + SqlName(first_table));
  if (page.hidden_count && !show_hidden) {
    data.set("hidden_link", page.path + "?_show_hidden=1");
    data.set("hidden_text", Plural(page.hidden_count, "hidden table", "hidden tables"));
  }
  Data views = List();
  for (const std::string& v : page.views) {
    Data item;
    item.set("name", v);
    item.set("href", page.path + "/" + TildeEncode(v));
    views.push_back(item);
  }
  data.set("views", views);
  data.set("has_views", !page.views.empty());
  Data queries = List();
  if (page.queries.is_array()) {
    for (const format::JsonValue& q : page.queries.as_array()) {
      const format::JsonValue* name = q.Find("name");
      if (!name || !name->is_string()) continue;
      Data item;
      const format::JsonValue* qtitle = q.Find("title");
      item.set("label", qtitle && qtitle->is_string() ? qtitle->as_string() : name->as_string());
      std::string href = page.path + "/" + TildeEncode(name->as_string());
      if (const format::JsonValue* fragment = q.Find("fragment"); fragment && fragment->is_string())
        href += "#" + fragment->as_string();
      item.set("href", href);
      queries.push_back(item);
    }
  }
  data.set("has_queries", !queries.is_empty_list());
  data.set("queries", queries);
  data.set("queries_link", page.path + "/-/queries");
  data.set("size", FormatCount(page.size) + " bytes");
  if (Allowed(ctx, auth::Action::kCreateTable, auth::Resource::Database(page.database))) {
    data.set("create_table_href", page.path + "/-/create-table");
    if (Allowed(ctx, auth::Action::kInsertRow, auth::Resource::Database(page.database))) {
      data.set("upload_href", page.path + "/-/upload");
    }
  }
  Frame frame{page.database, "db db-" + CssClass(page.database), Crumbs(ctx, page.database), ""};
  frame.crumbs.clear();
  return RenderPage(assets_, "database", std::move(data), frame, ctx);
}

}  // namespace almanac::ui
