#include "sql/query.h"

#include <algorithm>

namespace almanac::sql {

std::string QuoteIdentifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string Identifier::Quoted() const { return QuoteIdentifier(name_); }

std::string Identifier::Escaped() const { return EscapeIdentifier(name_); }

bool IsSqlKeyword(std::string_view word) {
  // https://www.sqlite.org/lang_keywords.html (3.40), sorted, upper case.
  static constexpr std::string_view kKeywords[] = {"ABORT",
                                                   "ACTION",
                                                   "ADD",
                                                   "AFTER",
                                                   "ALL",
                                                   "ALTER",
                                                   "ALWAYS",
                                                   "ANALYZE",
                                                   "AND",
                                                   "AS",
                                                   "ASC",
                                                   "ATTACH",
                                                   "AUTOINCREMENT",
                                                   "BEFORE",
                                                   "BEGIN",
                                                   "BETWEEN",
                                                   "BY",
                                                   "CASCADE",
                                                   "CASE",
                                                   "CAST",
                                                   "CHECK",
                                                   "COLLATE",
                                                   "COLUMN",
                                                   "COMMIT",
                                                   "CONFLICT",
                                                   "CONSTRAINT",
                                                   "CREATE",
                                                   "CROSS",
                                                   "CURRENT",
                                                   "CURRENT_DATE",
                                                   "CURRENT_TIME",
                                                   "CURRENT_TIMESTAMP",
                                                   "DATABASE",
                                                   "DEFAULT",
                                                   "DEFERRABLE",
                                                   "DEFERRED",
                                                   "DELETE",
                                                   "DESC",
                                                   "DETACH",
                                                   "DISTINCT",
                                                   "DO",
                                                   "DROP",
                                                   "EACH",
                                                   "ELSE",
                                                   "END",
                                                   "ESCAPE",
                                                   "EXCEPT",
                                                   "EXCLUDE",
                                                   "EXCLUSIVE",
                                                   "EXISTS",
                                                   "EXPLAIN",
                                                   "FAIL",
                                                   "FILTER",
                                                   "FIRST",
                                                   "FOLLOWING",
                                                   "FOR",
                                                   "FOREIGN",
                                                   "FROM",
                                                   "FULL",
                                                   "GENERATED",
                                                   "GLOB",
                                                   "GROUP",
                                                   "GROUPS",
                                                   "HAVING",
                                                   "IF",
                                                   "IGNORE",
                                                   "IMMEDIATE",
                                                   "IN",
                                                   "INDEX",
                                                   "INDEXED",
                                                   "INITIALLY",
                                                   "INNER",
                                                   "INSERT",
                                                   "INSTEAD",
                                                   "INTERSECT",
                                                   "INTO",
                                                   "IS",
                                                   "ISNULL",
                                                   "JOIN",
                                                   "KEY",
                                                   "LAST",
                                                   "LEFT",
                                                   "LIKE",
                                                   "LIMIT",
                                                   "MATCH",
                                                   "MATERIALIZED",
                                                   "NATURAL",
                                                   "NO",
                                                   "NOT",
                                                   "NOTHING",
                                                   "NOTNULL",
                                                   "NULL",
                                                   "NULLS",
                                                   "OF",
                                                   "OFFSET",
                                                   "ON",
                                                   "OR",
                                                   "ORDER",
                                                   "OTHERS",
                                                   "OUTER",
                                                   "OVER",
                                                   "PARTITION",
                                                   "PLAN",
                                                   "PRAGMA",
                                                   "PRECEDING",
                                                   "PRIMARY",
                                                   "QUERY",
                                                   "RAISE",
                                                   "RANGE",
                                                   "RECURSIVE",
                                                   "REFERENCES",
                                                   "REGEXP",
                                                   "REINDEX",
                                                   "RELEASE",
                                                   "RENAME",
                                                   "REPLACE",
                                                   "RESTRICT",
                                                   "RETURNING",
                                                   "RIGHT",
                                                   "ROLLBACK",
                                                   "ROW",
                                                   "ROWS",
                                                   "SAVEPOINT",
                                                   "SELECT",
                                                   "SET",
                                                   "TABLE",
                                                   "TEMP",
                                                   "TEMPORARY",
                                                   "THEN",
                                                   "TIES",
                                                   "TO",
                                                   "TRANSACTION",
                                                   "TRIGGER",
                                                   "UNBOUNDED",
                                                   "UNION",
                                                   "UNIQUE",
                                                   "UPDATE",
                                                   "USING",
                                                   "VACUUM",
                                                   "VALUES",
                                                   "VIEW",
                                                   "VIRTUAL",
                                                   "WHEN",
                                                   "WHERE",
                                                   "WINDOW",
                                                   "WITH",
                                                   "WITHOUT"};
  std::string upper(word);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return std::binary_search(std::begin(kKeywords), std::end(kKeywords), std::string_view(upper));
}

std::string EscapeIdentifier(std::string_view name) {
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) {
    bool word =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word) plain = false;
  }
  if (plain && !IsSqlKeyword(name)) return std::string(name);
  return QuoteIdentifier(name);
}

Result<WhereFragment> WhereFragment::Check(std::string_view sql) {
  int depth = 0;
  bool any = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      size_t end = sql.find(close, i + 1);
      // '' and "" inside a string or name are escaped quotes, not its end.
      while (close != ']' && end != std::string_view::npos && end + 1 < sql.size() &&
             sql[end + 1] == close) {
        end = sql.find(close, end + 2);
      }
      if (end == std::string_view::npos) {
        return InvalidArgument("_where= has an unterminated string or quoted name");
      }
      i = end;
      any = true;
    } else if (c == ';') {
      return InvalidArgument("_where= may not contain ';'");
    } else if (c == '?' || c == ':' || c == '@' || c == '$' || c == '#') {
      // Parameters would shift the table query's own positional parameters (SQLite also
      // reads "#name" as a parameter).
      return InvalidArgument("_where= may not use SQL parameters");
    } else if ((c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') ||
               (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*')) {
      return InvalidArgument("_where= may not contain SQL comments");
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth < 0) return InvalidArgument("_where= has unbalanced parentheses");
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      any = true;
    }
  }
  if (depth != 0) return InvalidArgument("_where= has unbalanced parentheses");
  if (!any) return InvalidArgument("_where= is empty");
  return WhereFragment(std::string(sql));
}

NamedQuery ToNamedParams(const Query& query) {
  NamedQuery out;
  const std::string& text = query.text;
  size_t next = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"' || c == '\'') {
      size_t end = text.find(c, i + 1);
      while (end != std::string::npos && end + 1 < text.size() && text[end + 1] == c) {
        end = text.find(c, end + 2);  // a doubled quote inside the quoted text
      }
      if (end == std::string::npos) end = text.size() - 1;
      out.sql.append(text, i, end - i + 1);
      i = end;
    } else if (c == '?') {
      std::string name = "p" + std::to_string(next);
      out.sql += ':';
      out.sql += name;
      if (next < query.params.size()) out.params.emplace_back(name, query.params[next]);
      ++next;
    } else {
      out.sql += c;
    }
  }
  return out;
}

std::vector<std::string> NamedParameters(std::string_view sql) {
  std::vector<std::string> names;
  auto is_name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      size_t end = sql.find(close, i + 1);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (c == ':' && i + 1 < sql.size() && is_name_char(sql[i + 1])) {
      size_t start = i + 1;
      size_t end = start;
      while (end < sql.size() && is_name_char(sql[end])) ++end;
      std::string name(sql.substr(start, end - start));
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      i = end;
    } else {
      ++i;
    }
  }
  return names;
}

}  // namespace almanac::sql
