#include "links/link_index.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "changes/change_event.h"

namespace almanac::links {
namespace {

// One link: the reverse index's key.
struct Link {
  std::string target_table;
  std::string target_key;
  std::string source_table;
  std::string source_column;
  std::string source_pk;
  auto Tie() const {
    return std::tie(target_table, target_key, source_table, source_column, source_pk);
  }
  bool operator<(const Link& other) const { return Tie() < other.Tie(); }
  bool operator==(const Link& other) const { return Tie() == other.Tie(); }
};

void RowLinks(const std::vector<LinkDef>& defs, const std::vector<Value>& values,
              const std::string& source_pk, std::vector<Link>& out) {
  std::vector<std::string> keys;
  for (const LinkDef& def : defs) {
    if (def.column_index >= values.size()) continue;
    keys.clear();
    TargetKeys(def, values[def.column_index], keys);
    for (std::string& key : keys) {
      out.push_back(Link{def.target_table, std::move(key), def.source_table, def.label, source_pk});
    }
  }
}

Status Step(db::Connection& conn, sql::Query query) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare(query));
  return stmt.Step().status();
}

std::vector<Value> LinkParams(const Link& link) {
  return {Value::Text(link.target_table), Value::Text(link.target_key),
          Value::Text(link.source_table), Value::Text(link.source_column),
          Value::Text(link.source_pk)};
}

std::vector<Value> CountParams(const Link& link) {
  return {Value::Text(link.target_table), Value::Text(link.target_key),
          Value::Text(link.source_table), Value::Text(link.source_column)};
}

Status AddLink(db::Connection& conn, const Link& link) {
  ALM_RETURN_IF_ERROR(Step(conn, {"INSERT OR IGNORE INTO _almanac_links (target_table, target_key, "
                                  "source_table, source_column, source_pk) VALUES (?, ?, ?, ?, ?)",
                                  LinkParams(link)}));
  if (conn.Changes() != 1) return Status::Ok();
  return Step(conn, {"INSERT INTO _almanac_link_counts (target_table, target_key, source_table, "
                     "source_column, n) VALUES (?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET n = n + 1",
                     CountParams(link)});
}

Status RemoveLink(db::Connection& conn, const Link& link) {
  ALM_RETURN_IF_ERROR(Step(conn, {"DELETE FROM _almanac_links WHERE target_table = ? AND "
                                  "target_key = ? AND source_table = ? AND source_column = ? AND "
                                  "source_pk = ?",
                                  LinkParams(link)}));
  if (conn.Changes() != 1) return Status::Ok();
  ALM_RETURN_IF_ERROR(
      Step(conn, {"UPDATE _almanac_link_counts SET n = n - 1 WHERE target_table = ? "
                  "AND target_key = ? AND source_table = ? AND source_column = ?",
                  CountParams(link)}));
  return Step(conn, {"DELETE FROM _almanac_link_counts WHERE target_table = ? AND target_key = ? "
                     "AND source_table = ? AND source_column = ? AND n <= 0",
                     CountParams(link)});
}

// Every link the rows of `table` make under `defs`, sorted.
Result<std::vector<Link>> ScanTable(db::Connection& conn, const db::TableInfo& table,
                                    const std::vector<LinkDef>& defs) {
  std::vector<Link> links;
  if (defs.empty()) return links;
  bool rowid = table.primary_keys.empty();
  std::string sql = "SELECT ";
  if (rowid) sql += "rowid, ";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += sql::Identifier::FromSchema(table.columns[i].name).Quoted();
  }
  sql += " FROM " + sql::Identifier::FromSchema(table.name).Quoted();
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare({sql, {}}));
  int offset = rowid ? 1 : 0;
  std::vector<Value> values(table.columns.size());
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    for (size_t i = 0; i < values.size(); ++i) {
      values[i] = stmt.Column(static_cast<int>(i) + offset);
    }
    std::string pk = changes::KeyJson(&table, values, rowid ? stmt.ColumnInt(0) : 0);
    RowLinks(defs, values, pk, links);
  }
  std::sort(links.begin(), links.end());
  links.erase(std::unique(links.begin(), links.end()), links.end());
  return links;
}

// Replaces the index of one source table (none when `defs` is empty) and its stored
// fingerprint; `table` may be null (the table is gone). Returns the links written.
Result<int64_t> RebuildSource(db::Connection& conn, const std::string& name,
                              const db::TableInfo* table, const std::vector<LinkDef>& defs) {
  ALM_RETURN_IF_ERROR(
      Step(conn, {"DELETE FROM _almanac_links WHERE source_table = ?", {Value::Text(name)}}));
  ALM_RETURN_IF_ERROR(
      Step(conn, {"DELETE FROM _almanac_link_counts WHERE source_table = ?", {Value::Text(name)}}));
  ALM_RETURN_IF_ERROR(
      Step(conn, {"DELETE FROM _almanac_links_state WHERE source_table = ?", {Value::Text(name)}}));
  if (!table || defs.empty()) return int64_t{0};
  ALM_ASSIGN_OR_RETURN(std::vector<Link> links, ScanTable(conn, *table, defs));
  ALM_ASSIGN_OR_RETURN(
      db::Statement insert,
      conn.Prepare({"INSERT INTO _almanac_links (target_table, target_key, source_table, "
                    "source_column, source_pk) VALUES (?, ?, ?, ?, ?)",
                    std::vector<Value>(5)}));
  ALM_ASSIGN_OR_RETURN(
      db::Statement count,
      conn.Prepare({"INSERT INTO _almanac_link_counts (target_table, target_key, source_table, "
                    "source_column, n) VALUES (?, ?, ?, ?, ?)",
                    std::vector<Value>(5)}));
  for (size_t i = 0; i < links.size(); ++i) {
    const Link& link = links[i];
    ALM_RETURN_IF_ERROR(insert.BindText(1, link.target_table));
    ALM_RETURN_IF_ERROR(insert.BindText(2, link.target_key));
    ALM_RETURN_IF_ERROR(insert.BindText(3, link.source_table));
    ALM_RETURN_IF_ERROR(insert.BindText(4, link.source_column));
    ALM_RETURN_IF_ERROR(insert.BindText(5, link.source_pk));
    ALM_RETURN_IF_ERROR(insert.Step().status());
    insert.Reset();
    bool last_of_group =
        i + 1 == links.size() || std::tie(link.target_table, link.target_key, link.source_column) !=
                                     std::tie(links[i + 1].target_table, links[i + 1].target_key,
                                              links[i + 1].source_column);
    if (!last_of_group) continue;
    size_t first = i;
    while (first > 0 && std::tie(links[first - 1].target_table, links[first - 1].target_key,
                                 links[first - 1].source_column) ==
                            std::tie(link.target_table, link.target_key, link.source_column)) {
      --first;
    }
    ALM_RETURN_IF_ERROR(count.BindText(1, link.target_table));
    ALM_RETURN_IF_ERROR(count.BindText(2, link.target_key));
    ALM_RETURN_IF_ERROR(count.BindText(3, link.source_table));
    ALM_RETURN_IF_ERROR(count.BindText(4, link.source_column));
    ALM_RETURN_IF_ERROR(count.BindInt(5, static_cast<int64_t>(i - first + 1)));
    ALM_RETURN_IF_ERROR(count.Step().status());
    count.Reset();
  }
  ALM_RETURN_IF_ERROR(Step(conn, {"INSERT INTO _almanac_links_state (source_table, fingerprint) "
                                  "VALUES (?, ?)",
                                  {Value::Text(name), Value::Text(Fingerprint(defs))}}));
  return static_cast<int64_t>(links.size());
}

Result<std::map<std::string, std::string>> StoredFingerprints(db::Connection& conn) {
  std::map<std::string, std::string> stored;
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"SELECT source_table, fingerprint FROM _almanac_links_state", {}}));
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    stored.emplace(std::string(stmt.ColumnText(0)), std::string(stmt.ColumnText(1)));
  }
  return stored;
}

}  // namespace

Status CreateLinkTables(db::Connection& conn) {
  return conn.Exec(
      "CREATE TABLE IF NOT EXISTS _almanac_links (target_table TEXT NOT NULL, target_key TEXT "
      "NOT NULL, source_table TEXT NOT NULL, source_column TEXT NOT NULL, source_pk TEXT NOT "
      "NULL, PRIMARY KEY (target_table, target_key, source_table, source_column, source_pk)) "
      "WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS _almanac_links_forward ON _almanac_links (source_table, "
      "source_pk);"
      "CREATE TABLE IF NOT EXISTS _almanac_link_counts (target_table TEXT NOT NULL, target_key "
      "TEXT NOT NULL, source_table TEXT NOT NULL, source_column TEXT NOT NULL, n INTEGER NOT "
      "NULL, PRIMARY KEY (target_table, target_key, source_table, source_column)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _almanac_links_state (source_table TEXT PRIMARY KEY, "
      "fingerprint TEXT NOT NULL)");
}

Result<int64_t> RebuildAll(db::Connection& conn, const db::Schema& schema,
                           const LinkOptions& options) {
  ALM_RETURN_IF_ERROR(CreateLinkTables(conn));
  ALM_RETURN_IF_ERROR(
      conn.Exec("DELETE FROM _almanac_links; DELETE FROM _almanac_link_counts; "
                "DELETE FROM _almanac_links_state"));
  int64_t total = 0;
  for (const db::TableInfo& table : schema.tables()) {
    std::vector<LinkDef> defs = DefsForTable(table, options);
    if (defs.empty()) continue;
    ALM_ASSIGN_OR_RETURN(int64_t written, RebuildSource(conn, table.name, &table, defs));
    total += written;
  }
  return total;
}

Result<VerifyReport> Verify(db::Connection& conn, const db::Schema& schema,
                            const LinkOptions& options) {
  VerifyReport report;
  std::vector<Link> expected;
  for (const db::TableInfo& table : schema.tables()) {
    std::vector<LinkDef> defs = DefsForTable(table, options);
    ALM_ASSIGN_OR_RETURN(std::vector<Link> links, ScanTable(conn, table, defs));
    expected.insert(expected.end(), links.begin(), links.end());
  }
  std::sort(expected.begin(), expected.end());
  std::vector<Link> indexed;
  ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                       conn.Prepare({"SELECT target_table, target_key, source_table, "
                                     "source_column, source_pk FROM _almanac_links",
                                     {}}));
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    indexed.push_back(Link{std::string(stmt.ColumnText(0)), std::string(stmt.ColumnText(1)),
                           std::string(stmt.ColumnText(2)), std::string(stmt.ColumnText(3)),
                           std::string(stmt.ColumnText(4))});
  }
  std::sort(indexed.begin(), indexed.end());
  report.expected = static_cast<int64_t>(expected.size());
  report.indexed = static_cast<int64_t>(indexed.size());
  auto describe = [](const char* what, const Link& link) {
    return std::string(what) + ": " + link.source_table + "." + link.source_column + " " +
           link.source_pk + " -> " + link.target_table + "/" + link.target_key;
  };
  std::vector<Link> diff;
  std::set_difference(expected.begin(), expected.end(), indexed.begin(), indexed.end(),
                      std::back_inserter(diff));
  report.missing = static_cast<int64_t>(diff.size());
  for (size_t i = 0; i < diff.size() && report.examples.size() < 5; ++i) {
    report.examples.push_back(describe("missing", diff[i]));
  }
  diff.clear();
  std::set_difference(indexed.begin(), indexed.end(), expected.begin(), expected.end(),
                      std::back_inserter(diff));
  report.extra = static_cast<int64_t>(diff.size());
  for (size_t i = 0; i < diff.size() && report.examples.size() < 10; ++i) {
    report.examples.push_back(describe("extra", diff[i]));
  }
  // The counters against the links actually indexed.
  ALM_ASSIGN_OR_RETURN(
      db::Statement counts,
      conn.Prepare({"SELECT c.target_table, c.target_key, c.source_table, c.source_column, c.n, "
                    "(SELECT count(*) FROM _almanac_links l WHERE l.target_table = c.target_table "
                    "AND l.target_key = c.target_key AND l.source_table = c.source_table AND "
                    "l.source_column = c.source_column) FROM _almanac_link_counts c "
                    "UNION ALL SELECT target_table, target_key, source_table, source_column, 0, "
                    "count(*) FROM _almanac_links l WHERE NOT EXISTS (SELECT 1 FROM "
                    "_almanac_link_counts c WHERE l.target_table = c.target_table AND "
                    "l.target_key = c.target_key AND l.source_table = c.source_table AND "
                    "l.source_column = c.source_column) GROUP BY 1, 2, 3, 4",
                    {}}));
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, counts.Step());
    if (!row) break;
    if (counts.ColumnInt(4) == counts.ColumnInt(5)) continue;
    ++report.bad_counts;
    if (report.examples.size() < 15) {
      report.examples.push_back(
          "count of " + std::string(counts.ColumnText(2)) + "." +
          std::string(counts.ColumnText(3)) + " -> " + std::string(counts.ColumnText(0)) + "/" +
          std::string(counts.ColumnText(1)) + " is " + std::to_string(counts.ColumnInt(4)) +
          ", links " + std::to_string(counts.ColumnInt(5)));
    }
  }
  return report;
}

Result<std::unique_ptr<LinkIndex>> LinkIndex::Open(db::Database& db, LinkOptions options) {
  if (!db.write_queue() || db.is_memory()) {
    return InvalidArgument("The links index needs a writable database file, and " + db.name() +
                           " is not one");
  }
  std::unique_ptr<LinkIndex> index(new LinkIndex(db, std::move(options)));
  LinkIndex* self = index.get();
  Status opened = db.write_queue()->Run([self](db::WriteContext& ctx) -> Status {
    ALM_RETURN_IF_ERROR(CreateLinkTables(ctx.conn()));
    return self->Reconcile(ctx, false);
  });
  if (!opened.ok()) return opened;
  return index;
}

Status LinkIndex::Reconcile(db::WriteContext& ctx, bool everything) {
  ALM_ASSIGN_OR_RETURN(std::shared_ptr<const db::Schema> schema, ctx.CurrentSchema());
  ALM_ASSIGN_OR_RETURN(auto stored, StoredFingerprints(ctx.conn()));
  for (const db::TableInfo& table : schema->tables()) {
    std::vector<LinkDef> defs = DefsForTable(table, options_);
    auto found = stored.find(table.name);
    bool known = found != stored.end();
    bool same = known ? found->second == Fingerprint(defs) : defs.empty();
    if (known) stored.erase(found);
    if (!everything && same) continue;
    ALM_RETURN_IF_ERROR(RebuildSource(ctx.conn(), table.name, &table, defs).status());
  }
  // Tables gone (dropped, or renamed: the new name was rebuilt above).
  for (const auto& [name, fingerprint] : stored) {
    (void)fingerprint;
    ALM_RETURN_IF_ERROR(RebuildSource(ctx.conn(), name, nullptr, {}).status());
  }
  // After the rebuilds: they may not change the schema, but read it again to be sure.
  ALM_ASSIGN_OR_RETURN(schema, ctx.CurrentSchema());
  checked_version_ = schema->version();
  return Status::Ok();
}

Status LinkIndex::OnRowChange(db::Connection& conn, const changes::RowChange& change) {
  if (!change.info) return Status::Ok();
  std::vector<LinkDef> defs = DefsForTable(*change.info, options_);
  if (defs.empty()) return Status::Ok();
  std::vector<Link> before;
  std::vector<Link> after;
  if (!change.old_values.empty()) RowLinks(defs, change.old_values, change.old_key, before);
  if (!change.new_values.empty()) RowLinks(defs, change.new_values, change.new_key, after);
  for (std::vector<Link>* links : {&before, &after}) {
    std::sort(links->begin(), links->end());
    links->erase(std::unique(links->begin(), links->end()), links->end());
  }
  std::vector<Link> removed;
  std::vector<Link> added;
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                      std::back_inserter(removed));
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(added));
  for (const Link& link : removed) ALM_RETURN_IF_ERROR(RemoveLink(conn, link));
  for (const Link& link : added) ALM_RETURN_IF_ERROR(AddLink(conn, link));
  return Status::Ok();
}

Status LinkIndex::AfterJob(db::WriteContext& ctx) {
  ALM_ASSIGN_OR_RETURN(std::shared_ptr<const db::Schema> schema, ctx.CurrentSchema());
  if (schema->version() == checked_version_) return Status::Ok();
  return Reconcile(ctx, false);
}

Status LinkIndex::OnResync(db::WriteContext& ctx) { return Reconcile(ctx, true); }

void LinkIndexes::Add(std::string name, std::unique_ptr<LinkIndex> index) {
  indexes_[std::move(name)] = std::move(index);
}

LinkIndex* LinkIndexes::Find(std::string_view name) const {
  auto found = indexes_.find(name);
  return found == indexes_.end() ? nullptr : found->second.get();
}

}  // namespace almanac::links
