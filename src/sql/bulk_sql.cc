#include "sql/bulk_sql.h"

#include "core/text.h"

namespace almanac::sql {
namespace {

void AddColumnList(QueryBuilder& b, const std::vector<Identifier>& columns) {
  b.Add(" (");
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) b.Add(", ");
    b.Add(columns[i]);
  }
  b.Add(")");
}

void AddPlaceholders(QueryBuilder& b, size_t count) {
  b.Add("(");
  for (size_t i = 0; i < count; ++i) {
    if (i) b.Add(", ");
    b.Bind(Value::Null());
  }
  b.Add(")");
}

}  // namespace

Query InsertTemplate(const Identifier& table, const std::vector<Identifier>& columns, size_t rows,
                     OnConflict on_conflict) {
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
  AddColumnList(b, columns);
  b.Add(" VALUES ");
  for (size_t r = 0; r < rows; ++r) {
    if (r) b.Add(", ");
    AddPlaceholders(b, columns.size());
  }
  return std::move(b).Build();
}

Query UpsertTemplate(const Identifier& table, const std::vector<Identifier>& columns,
                     const std::vector<Identifier>& key) {
  QueryBuilder b;
  b.Add("INSERT INTO ").Add(table);
  AddColumnList(b, columns);
  b.Add(" VALUES ");
  AddPlaceholders(b, columns.size());
  b.Add(" ON CONFLICT");
  AddColumnList(b, key);
  bool first = true;
  for (const Identifier& column : columns) {
    bool in_key = false;
    for (const Identifier& k : key)
      in_key = in_key || AsciiLower(k.name()) == AsciiLower(column.name());
    if (in_key) continue;
    if (first) {
      b.Add(" DO UPDATE SET ");
    } else {
      b.Add(", ");
    }
    b.Add(column).Add(" = excluded.").Add(column);
    first = false;
  }
  if (first) b.Add(" DO NOTHING");
  return std::move(b).Build();
}

Query DeleteAllRows(const Identifier& table) {
  QueryBuilder b;
  b.Add("DELETE FROM ").Add(table);
  return std::move(b).Build();
}

Query AnalyzeTable(const Identifier& table) {
  QueryBuilder b;
  b.Add("ANALYZE ").Add(table);
  return std::move(b).Build();
}

std::string SelectRowsSql(const std::string& table, const std::vector<std::string>& columns,
                          const std::string& where, const std::string& order, int64_t limit,
                          int64_t offset) {
  std::string sql = "select ";
  for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + QuoteIdentifier(columns[i]);
  if (columns.empty()) sql += "*";
  sql += " from " + QuoteIdentifier(table);
  if (!where.empty()) sql += " where " + where;
  if (!order.empty()) sql += " order by " + order;
  if (limit > 0) sql += " limit " + std::to_string(limit);
  if (offset > 0)
    sql += (limit > 0 ? "" : " limit -1") + std::string(" offset ") + std::to_string(offset);
  return sql;
}

std::string CreateViewSql(const std::string& name, const std::string& select) {
  return "CREATE VIEW " + QuoteIdentifier(name) + " AS " + select;
}

std::string CreateTable(const TableDef& table, bool strict) {
  return CreateTableSql(table) + (strict ? " STRICT" : "");
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string DefaultForValue(std::string_view value) {
  std::string upper = AsciiLower(value);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  bool quoted = value.size() >= 2 && ((value.front() == '\'' && value.back() == '\'') ||
                                      (value.front() == '"' && value.back() == '"'));
  if (quoted || upper == "CURRENT_TIME" || upper == "CURRENT_DATE" ||
      upper == "CURRENT_TIMESTAMP" || upper == "TRUE" || upper == "FALSE" || upper == "NULL" ||
      (!value.empty() && value.back() == ')')) {
    return std::string(value);  // CreateTableSql's DefaultSql wraps an expression
  }
  return QuoteLiteral(value);
}

}  // namespace almanac::sql
