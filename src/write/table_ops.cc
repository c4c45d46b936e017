#include "write/table_ops.h"

#include <cctype>
#include <set>
#include <utility>

#include "core/text.h"
#include "db/execute.h"

namespace almanac::write {

std::vector<std::string> KeyColumns(const db::TableInfo& table) {
  if (table.uses_rowid()) return {"rowid"};
  return table.primary_keys;
}

sql::RowKey KeyFor(const db::TableInfo& table, const std::vector<std::string>& values) {
  sql::RowKey key;
  std::vector<std::string> columns = KeyColumns(table);
  for (size_t i = 0; i < columns.size() && i < values.size(); ++i) {
    key.columns.push_back(sql::Identifier::FromSchema(columns[i]));
    key.values.push_back(Value::Text(values[i]));
  }
  return key;
}

Status AddMissingColumns(db::Connection& conn, const db::TableInfo& table,
                         const std::vector<Row>& rows) {
  std::set<std::string> existing;
  for (const db::ColumnInfo& c : table.columns) existing.insert(AsciiLower(c.name));
  TypeInference inference;
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (!existing.count(AsciiLower(row.columns[i]))) inference.Add(row.columns[i], row.values[i]);
    }
  }
  for (const auto& [name, type] : inference.Types()) {
    sql::ColumnDef def;
    def.name = name;
    def.type = type;
    ALM_RETURN_IF_ERROR(conn.Exec(sql::AddColumnSql(table.name, def)));
  }
  return Status::Ok();
}

Result<db::Rows> FetchRows(db::Connection& conn, const sql::Query& query) {
  ALM_ASSIGN_OR_RETURN(db::QueryResult result, db::Execute(conn, query, db::Limits{}));
  return std::move(result.rows);
}

Result<std::string> TableSchemaSql(db::Connection& conn, const std::string& table) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"select sql from sqlite_master where type = 'table' and name = ?",
                    {Value::Text(table)}}));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::string();
  return std::string(stmt.ColumnText(0));
}

Result<std::string> QuoteLiteral(db::Connection& conn, const Value& value) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare({"select quote(?)", {value}}));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Internal("quote() returned nothing");
  return std::string(stmt.ColumnText(0));
}

std::string PythonListRepr(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    bool has_single = values[i].find('\'') != std::string::npos;
    bool has_double = values[i].find('"') != std::string::npos;
    char quote = has_single && !has_double ? '"' : '\'';
    out += quote;
    for (char c : values[i]) {
      if (c == '\\' || c == quote) out += '\\';
      out += c;
    }
    out += quote;
  }
  return out + "]";
}

bool IsDml(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (sql.substr(i, 2) == "/*") {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i]))) {
    word += static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i++])));
  }
  return word == "insert" || word == "update" || word == "delete" || word == "replace";
}

}  // namespace almanac::write
