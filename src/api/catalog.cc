#include "api/catalog.h"

#include <algorithm>

#include "api/canned_queries.h"
#include "api/resolve.h"
#include "core/md5.h"
#include "core/url.h"
#include "sql/query.h"

namespace almanac::api {
namespace {

constexpr int64_t kCountDbSizeLimit = 100LL * 1024 * 1024;

// Counts up to kCountLimit + 1 rows; nullopt when the time limit or an error intervenes.
// Counts are cached by the database's change generation: a file with hundreds of tables
// costs hundreds of small queries only on the first visit after a change.
std::optional<int64_t> BoundedCount(const ResolvedDatabase& resolved,
                                    std::optional<uint64_t> generation, const std::string& table,
                                    int64_t ms) {
  // Counted ahead by `almanac inspect` (--inspect-file, immutable databases): exact, as given.
  if (std::optional<int64_t> known = resolved.db->InspectedCount(table)) return known;
  sql::QueryBuilder b;
  b.Add("select count(*) from (select 1 from ")
      .Add(sql::Identifier::FromSchema(table))
      .Add(" limit ")
      .Integer(kCountLimit + 1)
      .Add(")");
  db::Limits limits;
  limits.deadline = db::Clock::now() + std::chrono::milliseconds(ms);
  sql::Query query = b.query();
  if (generation) {
    if (auto hit = resolved.db->cache().Get(*generation, query)) {
      if (hit->empty()) return std::nullopt;
      const Value& v = hit->at(0, 0);
      return v.type() == Value::Type::kInteger ? std::optional(v.integer()) : std::nullopt;
    }
  }
  Result<db::QueryResult> result = db::Execute(*resolved.conn, query, limits);
  if (!result.ok() || result->rows.empty()) return std::nullopt;
  if (generation) resolved.db->cache().Put(*generation, query, result->rows);
  const Value& v = result->rows.at(0, 0);
  return v.type() == Value::Type::kInteger ? std::optional(v.integer()) : std::nullopt;
}

// What the database and instance pages say of a table the actor may view: its relations and
// FTS index only where the actor may view the other table too.
TableSummary Summarize(const Instance& instance, const Request& request, std::string_view database,
                       const db::TableInfo& table) {
  TableSummary s;
  s.name = table.name;
  s.columns = table.ColumnNames();
  s.primary_keys = table.primary_keys;
  s.hidden = table.hidden || instance.config.Table(database, table.name).hidden;
  if (table.fts_table && CanViewTable(instance, request, database, *table.fts_table)) {
    s.fts_table = table.fts_table;
  }
  s.incoming = ViewableForeignKeys(instance, request, database, table.incoming);
  s.outgoing = ViewableForeignKeys(instance, request, database, table.outgoing);
  return s;
}

}  // namespace

std::string DatabaseColor(std::string_view name) {
  return Md5Hex(name).substr(0, 6);  // built in: no libcrypto for every page (core/md5.h)
}

Result<DatabasePage> BuildDatabasePage(const Instance& instance, const Request& request,
                                       std::string_view database) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewDatabase,
                              auth::Resource::Database(std::string(database)),
                              "You do not have permission to view this database"));
  DatabasePage page;
  page.database = resolved.db->name();
  page.path = instance.urls().Database(page.database);
  page.size = resolved.db->FileSize();
  page.private_ =
      IsPrivate(instance, auth::Action::kViewDatabase, auth::Resource::Database(page.database));
  ALM_ASSIGN_OR_RETURN(std::optional<uint64_t> generation, resolved.db->ChangeGeneration());
  for (const db::TableInfo& table : resolved.schema->tables()) {
    auth::Resource resource = auth::Resource::Table(page.database, table.name);
    if (!instance.permissions.Allowed(request.actor, auth::Action::kViewTable, resource)) {
      continue;
    }
    bool is_private = IsPrivate(instance, auth::Action::kViewTable, resource);
    if (table.is_view()) {
      page.views.push_back(table.name);
      if (is_private) page.private_views.push_back(table.name);
      page.table_columns.emplace_back(table.name, std::vector<std::string>{});
      continue;
    }
    TableSummary summary = Summarize(instance, request, page.database, table);
    summary.private_ = is_private;
    summary.count = BoundedCount(resolved, generation, table.name, 100);
    summary.count_truncated = summary.count && *summary.count == kCountLimit + 1;
    if (summary.hidden) ++page.hidden_count;
    std::vector<std::string> sorted_columns = summary.columns;
    std::sort(sorted_columns.begin(), sorted_columns.end());
    page.table_columns.emplace_back(table.name, std::move(sorted_columns));
    page.tables.push_back(std::move(summary));
  }
  std::stable_sort(page.tables.begin(), page.tables.end(),
                   [](const TableSummary& a, const TableSummary& b) {
                     return a.hidden != b.hidden ? !a.hidden : a.name < b.name;
                   });
  page.allow_execute_sql = instance.permissions.Allowed(request.actor, auth::Action::kExecuteSql,
                                                        auth::Resource::Database(page.database));
  if (!page.allow_execute_sql) page.table_columns.clear();
  format::JsonValue::Array queries;
  for (const CannedQuery& q : CannedQueries(instance, page.database)) {
    if (queries.size() == 5) break;
    auth::Resource resource = auth::Resource::Table(page.database, q.name);
    if (!instance.permissions.Allowed(request.actor, auth::Action::kViewQuery, resource)) continue;
    format::JsonValue json = CannedQueryJson(q);
    if (IsPrivate(instance, auth::Action::kViewQuery, resource)) {
      json.Set("private", format::JsonValue::Bool(true));
    }
    queries.push_back(std::move(json));
  }
  page.queries = format::JsonValue::MakeArray(std::move(queries));
  page.metadata = format::JsonValue::MakeObject();
  if (const format::JsonValue* meta = instance.config.DatabaseMetadata(page.database);
      meta && meta->is_object()) {
    for (const auto& [key, value] : meta->as_object()) {
      if (key != "tables" && key != "queries") page.metadata.Set(key, value);
    }
  }
  return page;
}

Result<IndexPage> BuildIndexPage(const Instance& instance, const Request& request) {
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewInstance,
                              auth::Resource::Instance(),
                              "You do not have permission to view this instance"));
  IndexPage page;
  std::vector<db::Database*> databases;
  for (const auto& db : instance.registry.all()) databases.push_back(db.get());
  std::sort(databases.begin(), databases.end(),
            [](db::Database* a, db::Database* b) { return a->name() < b->name(); });
  for (db::Database* database : databases) {
    if (!instance.permissions.Allowed(request.actor, auth::Action::kViewDatabase,
                                      auth::Resource::Database(database->name()))) {
      continue;
    }
    ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database->name()));
    IndexDatabase entry;
    entry.name = database->name();
    entry.private_ =
        IsPrivate(instance, auth::Action::kViewDatabase, auth::Resource::Database(entry.name));
    entry.path = instance.urls().Database(entry.name);
    entry.color = DatabaseColor(entry.name);
    entry.hash = database->ContentHash();
    bool count = !database->is_mutable() || database->FileSize() < kCountDbSizeLimit;
    std::optional<uint64_t> generation;
    if (count) {
      ALM_ASSIGN_OR_RETURN(generation, database->ChangeGeneration());
    }
    std::vector<TableSummary> visible;
    bool counts_complete = true;
    for (const db::TableInfo& table : resolved.schema->tables()) {
      auth::Resource resource = auth::Resource::Table(entry.name, table.name);
      if (!instance.permissions.Allowed(request.actor, auth::Action::kViewTable, resource)) {
        continue;
      }
      bool is_private = IsPrivate(instance, auth::Action::kViewTable, resource);
      if (table.is_view()) {
        entry.views.push_back(table.name);
        if (is_private) entry.private_views.push_back(table.name);
        continue;
      }
      TableSummary summary = Summarize(instance, request, entry.name, table);
      summary.private_ = is_private;
      if (count) {
        summary.count = BoundedCount(resolved, generation, table.name, 10);
        // A hidden table (an FTS index, say) that is slow to count does not cost the visible
        // tables their counts; Datasette drops every count when any one times out.
        if (!summary.count && !summary.hidden) counts_complete = false;
      }
      if (summary.hidden) {
        ++entry.hidden_tables_count;
        entry.hidden_table_rows_sum += summary.count.value_or(0);
      } else {
        visible.push_back(std::move(summary));
      }
    }
    bool have_counts = count && counts_complete && !resolved.schema->tables().empty() &&
                       (entry.hidden_tables_count + static_cast<int64_t>(visible.size())) > 0;
    if (!have_counts) {
      entry.hidden_table_rows_sum = 0;
      for (TableSummary& t : visible) t.count.reset();
    }
    entry.show_table_row_counts = have_counts;
    entry.tables_count = static_cast<int64_t>(visible.size());
    for (const TableSummary& t : visible) entry.table_rows_sum += t.count.value_or(0);
    entry.views_count = static_cast<int64_t>(entry.views.size());
    entry.tables_and_views_more = visible.size() + entry.views.size() > 5;
    // Without counts, or with ?_sort=relationships, Datasette orders (and reports) tables by
    // their number of relationships first.
    const std::string* sort = request.Arg("_sort");
    bool by_relationships = !have_counts || (sort && *sort == "relationships");
    for (TableSummary& t : visible) {
      t.num_relationships_for_sorting =
          by_relationships ? static_cast<int64_t>(t.incoming.size() + t.outgoing.size()) : 0;
    }
    std::sort(visible.begin(), visible.end(), [](const TableSummary& a, const TableSummary& b) {
      if (a.num_relationships_for_sorting != b.num_relationships_for_sorting) {
        return a.num_relationships_for_sorting > b.num_relationships_for_sorting;
      }
      if (a.count.value_or(0) != b.count.value_or(0))
        return a.count.value_or(0) > b.count.value_or(0);
      return a.name > b.name;
    });
    if (visible.size() > 5) visible.resize(5);
    entry.tables = std::move(visible);
    if (entry.tables.size() < 5) {
      size_t room = 5 - entry.tables.size();
      if (entry.views.size() > room) entry.views.resize(room);
    } else {
      entry.views.clear();
    }
    page.databases.push_back(std::move(entry));
  }
  page.metadata = format::JsonValue::MakeObject();
  for (const auto& [key, value] : instance.config.metadata().as_object()) {
    if (key != "databases") page.metadata.Set(key, value);
  }
  return page;
}

}  // namespace almanac::api
