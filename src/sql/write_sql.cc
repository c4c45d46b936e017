#include "sql/write_sql.h"

namespace almanac::sql {
namespace {

void AddWhereKey(QueryBuilder& b, const RowKey& key) {
  b.Add(" WHERE ");
  for (size_t i = 0; i < key.columns.size(); ++i) {
    if (i) b.Add(" AND ");
    b.Add(key.columns[i]).Add(" = ").Bind(key.values[i]);
  }
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

}  // namespace

Query InsertRow(const Identifier& table, const std::vector<Identifier>& columns,
                std::vector<Value> values, OnConflict on_conflict) {
  QueryBuilder b;
  if (on_conflict == OnConflict::kIgnore) {
    b.Add("INSERT OR IGNORE INTO ");
  } else if (on_conflict == OnConflict::kReplace) {
    b.Add("INSERT OR REPLACE INTO ");
  } else {
    b.Add("INSERT INTO ");
  }
  b.Add(table);
  if (columns.empty()) {
    b.Add(" DEFAULT VALUES");
    return std::move(b).Build();
  }
  b.Add(" (");
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) b.Add(", ");
    b.Add(columns[i]);
  }
  b.Add(") VALUES (");
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) b.Add(", ");
    b.Bind(std::move(values[i]));
  }
  b.Add(")");
  return std::move(b).Build();
}

Query UpdateRow(const Identifier& table, const std::vector<Identifier>& columns,
                std::vector<Value> values, const RowKey& key) {
  QueryBuilder b;
  b.Add("UPDATE ").Add(table).Add(" SET ");
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) b.Add(", ");
    b.Add(columns[i]).Add(" = ").Bind(std::move(values[i]));
  }
  AddWhereKey(b, key);
  return std::move(b).Build();
}

Query DeleteRow(const Identifier& table, const RowKey& key) {
  QueryBuilder b;
  b.Add("DELETE FROM ").Add(table);
  AddWhereKey(b, key);
  return std::move(b).Build();
}

Query SelectRow(const Identifier& table, const std::vector<Identifier>& columns, bool with_rowid,
                const RowKey& key) {
  QueryBuilder b;
  b.Add("SELECT ");
  if (with_rowid) b.Add("rowid");
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i || with_rowid) b.Add(", ");
    b.Add(columns[i]);
  }
  b.Add(" FROM ").Add(table);
  AddWhereKey(b, key);
  return std::move(b).Build();
}

Query SelectRowid(const Identifier& table, const RowKey& key) {
  QueryBuilder b;
  b.Add("SELECT rowid FROM ").Add(table);
  AddWhereKey(b, key);
  return std::move(b).Build();
}

std::string DefaultSql(const std::string& sql) {
  if (sql.size() >= 2 &&
      ((sql.front() == '\'' && sql.back() == '\'') || (sql.front() == '"' && sql.back() == '"'))) {
    return sql;
  }
  std::string upper = Upper(sql);
  if (upper == "CURRENT_TIME" || upper == "CURRENT_DATE" || upper == "CURRENT_TIMESTAMP") {
    return sql;
  }
  if (!sql.empty() && sql.back() == ')') return "(" + sql + ")";
  return sql;
}

namespace {

std::string ColumnSql(const ColumnDef& c, bool inline_pk) {
  std::string out = QuoteIdentifier(c.name);
  if (!c.type.empty()) out += " " + c.type;
  if (inline_pk) out += " PRIMARY KEY";
  if (c.not_null) out += " NOT NULL";
  if (c.default_sql) out += " DEFAULT " + DefaultSql(*c.default_sql);
  if (c.references) {
    out += " REFERENCES " + QuoteIdentifier(c.references->first) + "(" +
           QuoteIdentifier(c.references->second) + ")";
  }
  return out;
}

}  // namespace

std::string CreateTableSql(const TableDef& table) {
  std::string out = "CREATE TABLE " + QuoteIdentifier(table.name) + " (\n";
  bool single = table.primary_keys.size() == 1;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i) out += ",\n";
    const ColumnDef& c = table.columns[i];
    out += "   " + ColumnSql(c, single && c.name == table.primary_keys[0]);
  }
  if (table.primary_keys.size() > 1) {
    out += ",\n   PRIMARY KEY (";
    for (size_t i = 0; i < table.primary_keys.size(); ++i) {
      if (i) out += ", ";
      out += QuoteIdentifier(table.primary_keys[i]);
    }
    out += ")";
  }
  out += "\n)";
  return out;
}

std::string AddColumnSql(const std::string& table, const ColumnDef& column) {
  return "ALTER TABLE " + QuoteIdentifier(table) + " ADD COLUMN " + ColumnSql(column, false);
}

std::string CopyRowsSql(const std::string& from, const std::string& to,
                        const std::vector<std::pair<std::string, std::string>>& old_to_new,
                        bool with_rowid) {
  std::string targets = with_rowid ? "rowid" : "";
  std::string sources = targets;
  for (const auto& [old_name, new_name] : old_to_new) {
    if (!targets.empty()) {
      targets += ", ";
      sources += ", ";
    }
    targets += QuoteIdentifier(new_name);
    sources += QuoteIdentifier(old_name);
  }
  return "INSERT INTO " + QuoteIdentifier(to) + " (" + targets + ")\n   SELECT " + sources +
         " FROM " + QuoteIdentifier(from);
}

}  // namespace almanac::sql
