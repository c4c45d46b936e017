#include "api/write/common.h"

#include <algorithm>
#include <cctype>
#include <future>

#include "core/text.h"
#include "core/url.h"
#include "db/execute.h"
#include "format/base64.h"
#include "format/json_writer.h"

namespace almanac::api::write {
namespace {

// sqlite-utils' Python types of a cell, for suggest_column_types.
enum Kind { kNone, kInt, kBool, kFloat, kStr, kBytes };

bool IsBase64Cell(const format::JsonValue& cell) {
  if (!cell.is_object() || cell.as_object().size() != 2) return false;
  const format::JsonValue* flag = cell.Find("$base64");
  return flag && flag->is_bool() && flag->as_bool() && cell.Find("encoded");
}

bool IsRawCell(const format::JsonValue& cell) {
  return cell.is_object() && cell.as_object().size() == 1 && cell.Find("$raw");
}

int KindOf(const format::JsonValue& cell) {
  using T = format::JsonValue::Type;
  if (IsBase64Cell(cell)) return kBytes;
  if (IsRawCell(cell)) return KindOf(*cell.Find("$raw"));
  switch (cell.type()) {
    case T::kNull:
      return kNone;
    case T::kBool:
      return kBool;
    case T::kInt:
      return kInt;
    case T::kDouble:
      return kFloat;
    default:
      return kStr;  // strings, and objects/arrays stored as JSON text
  }
}

std::string TypeFor(std::set<int> kinds) {
  if (kinds.size() > 1) kinds.erase(kNone);
  auto within = [&](std::initializer_list<int> allowed) {
    return std::all_of(kinds.begin(), kinds.end(), [&](int k) {
      return std::find(allowed.begin(), allowed.end(), k) != allowed.end();
    });
  };
  if (kinds.size() == 1) {
    switch (*kinds.begin()) {
      case kInt:
      case kBool:
        return "INTEGER";
      case kFloat:
        return "REAL";
      case kBytes:
        return "BLOB";
      default:
        return "TEXT";
    }
  }
  if (within({kInt, kBool})) return "INTEGER";
  if (within({kInt, kFloat, kBool})) return "REAL";
  if (within({kBytes, kStr})) return "BLOB";
  return "TEXT";
}

}  // namespace

Result<Answer> RunToCompletion(Result<Outcome> outcome) {
  if (!outcome.ok()) return outcome.status();
  if (outcome->answer) return *outcome->answer;
  PendingWrite& pending = *outcome->pending;
  Status status = pending.db->write_queue()->Run(std::move(pending.work));
  if (!status.ok()) return status;
  return pending.respond();
}

std::vector<std::pair<std::string, std::string>> BlockFramingHeaders() {
  return {{"Content-Security-Policy", "frame-ancestors 'none'"}, {"X-Frame-Options", "DENY"}};
}

Result<format::JsonValue> ParseBody(const Request& request) {
  return format::ParseJson(request.body);
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

Result<Value> CellValue(const format::JsonValue& cell) {
  using T = format::JsonValue::Type;
  if (IsBase64Cell(cell)) {
    const format::JsonValue& encoded = *cell.Find("encoded");
    if (!encoded.is_string()) return InvalidArgument("$base64 encoded value must be a string");
    std::optional<std::string> bytes = format::Base64Decode(encoded.as_string());
    if (!bytes) return InvalidArgument("Invalid $base64 encoded value");
    return Value::BlobOf(std::move(*bytes));
  }
  if (IsRawCell(cell)) return CellValue(*cell.Find("$raw"));
  switch (cell.type()) {
    case T::kNull:
      return Value::Null();
    case T::kBool:
      return Value::Integer(cell.as_bool() ? 1 : 0);
    case T::kInt:
      return Value::Integer(cell.as_int());
    case T::kDouble:
      return Value::Real(cell.as_double());
    case T::kString:
      return Value::Text(cell.as_string());
    default: {
      // sqlite-utils stores nested values as JSON text (ensure_ascii=False).
      std::string text;
      format::JsonWriter writer(text, format::JsonStyle{false, false, false});
      format::WriteJson(cell, writer);
      return Value::Text(std::move(text));
    }
  }
}

void TypeInference::Add(const std::string& column, const format::JsonValue& cell) {
  auto [it, added] = kinds_.try_emplace(column);
  if (added) order_.push_back(column);
  it->second.insert(KindOf(cell));
}

std::vector<std::pair<std::string, std::string>> TypeInference::Types() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& column : order_) out.emplace_back(column, TypeFor(kinds_.at(column)));
  return out;
}

std::vector<std::string> KeyColumns(const db::TableInfo& table) {
  if (table.uses_rowid()) return {"rowid"};
  return table.primary_keys;
}

std::vector<std::string> SplitPks(std::string_view pks) {
  std::vector<std::string> values;
  size_t start = 0;
  for (;;) {
    size_t comma = pks.find(',', start);
    values.push_back(TildeDecode(pks.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return values;
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
                         const std::vector<const format::JsonValue*>& rows) {
  std::set<std::string> existing;
  for (const db::ColumnInfo& c : table.columns) existing.insert(AsciiLower(c.name));
  TypeInference inference;
  for (const format::JsonValue* row : rows) {
    for (const auto& [name, cell] : row->as_object()) {
      if (!existing.count(AsciiLower(name))) inference.Add(name, cell);
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

void WriteRowObjects(format::JsonWriter& w, const db::Rows& rows) {
  w.BeginArray();
  for (size_t r = 0; r < rows.size(); ++r) {
    w.BeginObject();
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      w.Key(rows.columns[c]);
      w.WriteValue(rows.at(r, c));
    }
    w.EndObject();
  }
  w.EndArray();
}

Body OkRowsBody(const db::Rows* rows) {
  Body body;
  format::JsonWriter w(body.text);
  w.BeginObject();
  w.MemberBool("ok", true);
  if (rows) {
    w.Key("rows");
    WriteRowObjects(w, *rows);
  }
  w.EndObject();
  return body;
}

std::string TableUrl(const Request& request, std::string_view database, std::string_view table,
                     bool json) {
  std::string path = "/" + TildeEncode(database) + "/" + TildeEncode(table);
  if (json) path += ".json";
  return request.AbsoluteUrl(path);
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

Status RequireTable(const Instance& instance, const Request& request, auth::Action action,
                    const std::string& database, const std::string& table,
                    std::string_view message) {
  if (instance.permissions.Allowed(request.actor, action, auth::Resource::Table(database, table))) {
    return Status::Ok();
  }
  return PermissionDenied(std::string(message));
}

Status RequireDatabase(const Instance& instance, const Request& request, auth::Action action,
                       const std::string& database, std::string_view message) {
  if (instance.permissions.Allowed(request.actor, action, auth::Resource::Database(database))) {
    return Status::Ok();
  }
  return PermissionDenied(std::string(message));
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

}  // namespace almanac::api::write
