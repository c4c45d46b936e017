#include "db/schema.h"

#include <algorithm>
#include <map>

#include <sqlite3.h>

#include "core/text.h"
#include "db/connection.h"

namespace almanac::db {
namespace {

// The module of a CREATE VIRTUAL TABLE statement ("fts5"), or "" for other statements.
std::string VirtualModule(std::string_view sql) {
  std::string lower = AsciiLower(sql);
  size_t create = lower.find("virtual");
  if (create == std::string::npos) return {};
  size_t using_pos = lower.find("using", create);
  if (using_pos == std::string::npos) return {};
  size_t start = lower.find_first_not_of(" \t\r\n", using_pos + 5);
  if (start == std::string::npos) return {};
  size_t end = lower.find_first_of(" \t\r\n(", start);
  std::string module = lower.substr(start, end == std::string::npos ? end : end - start);
  module.erase(std::remove_if(module.begin(), module.end(),
                              [](char c) {
                                return c == '"' || c == '\'' || c == '[' || c == ']' || c == '`';
                              }),
               module.end());
  return module;
}

bool IsFtsModule(std::string_view module) {
  return module == "fts3" || module == "fts4" || module == "fts5";
}

// Datasette's detect_fts: a virtual FTS table whose content= names `table`.
bool IndexesContentOf(std::string_view fts_sql, std::string_view table) {
  std::string lower = AsciiLower(fts_sql);
  std::string needle_lower = AsciiLower(table);
  for (const std::string& form :
       {"content=\"" + needle_lower + "\"", "content=[" + needle_lower + "]",
        "content='" + needle_lower + "'"}) {
    if (lower.find(form) != std::string::npos) return true;
  }
  return false;
}

bool ByFk(const ForeignKey& a, const ForeignKey& b) {
  return std::tie(a.other_table, a.column, a.other_column) <
         std::tie(b.other_table, b.column, b.other_column);
}

Result<std::vector<ColumnInfo>> LoadColumns(Connection& conn, const std::string& table) {
  sql::Query q{
      "select cid, name, type, \"notnull\", dflt_value, pk, hidden "
      "from pragma_table_xinfo(?)",
      {Value::Text(table)}};
  ALM_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(q));
  std::vector<ColumnInfo> columns;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ColumnInfo c;
    c.cid = static_cast<int>(stmt.ColumnInt(0));
    c.name = std::string(stmt.ColumnText(1));
    c.type = std::string(stmt.ColumnText(2));
    c.notnull = stmt.ColumnInt(3) != 0;
    if (stmt.ColumnType(4) != SQLITE_NULL) c.default_value = std::string(stmt.ColumnText(4));
    c.pk = static_cast<int>(stmt.ColumnInt(5));
    c.hidden = static_cast<int>(stmt.ColumnInt(6));
    columns.push_back(std::move(c));
  }
  return columns;
}

// Single-column foreign keys of `table` (compound ones are skipped, as Datasette does).
Result<std::vector<ForeignKey>> LoadOutgoing(Connection& conn, const std::string& table) {
  sql::Query q{"select id, \"table\", \"from\", \"to\" from pragma_foreign_key_list(?)",
               {Value::Text(table)}};
  ALM_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(q));
  std::map<int64_t, std::vector<ForeignKey>> by_id;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    by_id[stmt.ColumnInt(0)].push_back(ForeignKey{std::string(stmt.ColumnText(1)),
                                                  std::string(stmt.ColumnText(2)),
                                                  std::string(stmt.ColumnText(3))});
  }
  std::vector<ForeignKey> out;
  for (auto& [id, fks] : by_id) {
    if (fks.size() == 1) out.push_back(std::move(fks[0]));
  }
  return out;
}

}  // namespace

const ColumnInfo* TableInfo::FindColumn(std::string_view column) const {
  for (const ColumnInfo& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

std::vector<std::string> TableInfo::ColumnNames() const {
  std::vector<std::string> names;
  names.reserve(columns.size());
  for (const ColumnInfo& c : columns) names.push_back(c.name);
  return names;
}

const TableInfo* Schema::Find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : &tables_[it->second];
}

bool Schema::HasIndexOn(std::string_view table, std::string_view column) const {
  for (const auto& [t, c] : indexed_first_columns_) {
    if (t == table && c == column) return true;
  }
  return false;
}

Result<std::shared_ptr<const Schema>> Schema::Load(Connection& conn, int64_t version) {
  auto schema = std::make_shared<Schema>();
  schema->version_ = version;

  // Object types straight from SQLite (it knows which tables are shadow tables).
  std::map<std::string, std::pair<std::string, bool>> table_types;  // name -> (type, wr)
  {
    ALM_ASSIGN_OR_RETURN(
        Statement stmt,
        conn.Prepare({"select name, type, wr from pragma_table_list where schema = 'main'", {}}));
    for (;;) {
      ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      table_types[std::string(stmt.ColumnText(0))] = {std::string(stmt.ColumnText(1)),
                                                      stmt.ColumnInt(2) != 0};
    }
  }

  std::vector<std::pair<std::string, std::string>> indexes;  // (index name, table)
  {
    ALM_ASSIGN_OR_RETURN(Statement stmt,
                         conn.Prepare({"select type, name, tbl_name, coalesce(sql, '') "
                                       "from sqlite_master order by name",
                                       {}}));
    for (;;) {
      ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      std::string type(stmt.ColumnText(0));
      std::string name(stmt.ColumnText(1));
      std::string sql(stmt.ColumnText(3));
      if (type == "index") {
        std::string table(stmt.ColumnText(2));
        if (!sql.empty()) schema->index_sql_.emplace_back(table, sql);
        indexes.emplace_back(name, table);
        continue;
      }
      if (type != "table" && type != "view") continue;
      if (name == "sqlite_schema" || name == "sqlite_temp_schema") continue;
      TableInfo info;
      info.name = name;
      info.sql = sql;
      if (type == "view") {
        info.kind = TableKind::kView;
      } else {
        auto found = table_types.find(name);
        std::string kind = found == table_types.end() ? "table" : found->second.first;
        info.without_rowid = found != table_types.end() && found->second.second;
        info.kind = kind == "virtual"  ? TableKind::kVirtual
                    : kind == "shadow" ? TableKind::kShadow
                                       : TableKind::kTable;
        if (info.kind == TableKind::kVirtual) info.fts_module = VirtualModule(sql);
      }
      schema->tables_.push_back(std::move(info));
    }
  }

  std::sort(schema->tables_.begin(), schema->tables_.end(),
            [](const TableInfo& a, const TableInfo& b) { return a.name < b.name; });
  for (size_t i = 0; i < schema->tables_.size(); ++i) {
    schema->by_name_[schema->tables_[i].name] = i;
  }

  for (TableInfo& table : schema->tables_) {
    ALM_ASSIGN_OR_RETURN(table.columns, LoadColumns(conn, table.name));
    std::vector<const ColumnInfo*> pk_columns;
    for (const ColumnInfo& c : table.columns) {
      if (c.pk > 0) pk_columns.push_back(&c);
    }
    std::sort(pk_columns.begin(), pk_columns.end(),
              [](const ColumnInfo* a, const ColumnInfo* b) { return a->pk < b->pk; });
    for (const ColumnInfo* c : pk_columns) table.primary_keys.push_back(c->name);
    if (!table.is_view()) {
      ALM_ASSIGN_OR_RETURN(table.outgoing, LoadOutgoing(conn, table.name));
    }
  }

  // Incoming keys, FTS tables and hidden flags need every table loaded.
  for (TableInfo& table : schema->tables_) {
    for (const ForeignKey& fk : table.outgoing) {
      auto it = schema->by_name_.find(fk.other_table);
      if (it == schema->by_name_.end()) continue;
      schema->tables_[it->second].incoming.push_back(
          ForeignKey{table.name, fk.other_column, fk.column});
    }
  }
  for (TableInfo& table : schema->tables_) {
    std::sort(table.outgoing.begin(), table.outgoing.end(), ByFk);
    std::sort(table.incoming.begin(), table.incoming.end(), ByFk);
    for (const TableInfo& other : schema->tables_) {
      if (other.kind != TableKind::kVirtual || !IsFtsModule(other.fts_module)) continue;
      if (other.name == table.name || IndexesContentOf(other.sql, table.name)) {
        table.fts_table = other.name;
        break;
      }
    }
    bool stat = table.name == "sqlite_stat1" || table.name == "sqlite_stat2" ||
                table.name == "sqlite_stat3" || table.name == "sqlite_stat4";
    bool content_fts = table.kind == TableKind::kVirtual && IsFtsModule(table.fts_module) &&
                       AsciiLower(table.sql).find("content=") != std::string::npos;
    table.hidden = !table.is_view() && (stat || table.name.starts_with('_') ||
                                        table.kind == TableKind::kShadow || content_fts);
  }

  for (const auto& [index, table] : indexes) {
    ALM_ASSIGN_OR_RETURN(Statement stmt,
                         conn.Prepare({"select name from pragma_index_info(?) where seqno = 0",
                                       {Value::Text(index)}}));
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (row && stmt.ColumnType(0) != SQLITE_NULL) {
      schema->indexed_first_columns_.emplace_back(table, std::string(stmt.ColumnText(0)));
    }
  }
  return std::shared_ptr<const Schema>(std::move(schema));
}

std::string_view AffinityOf(std::string_view declared) {
  std::string t;
  for (char c : declared) t += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (t.find_first_not_of(" \t\n\r") == std::string::npos) return "BLOB";
  if (t.find("INT") != std::string::npos) return "INTEGER";
  if (t.find("CHAR") != std::string::npos || t.find("CLOB") != std::string::npos ||
      t.find("TEXT") != std::string::npos) {
    return "TEXT";
  }
  if (t.find("BLOB") != std::string::npos) return "BLOB";
  if (t.find("REAL") != std::string::npos || t.find("FLOA") != std::string::npos ||
      t.find("DOUB") != std::string::npos) {
    return "REAL";
  }
  return "NUMERIC";
}

}  // namespace almanac::db
