// The only ways SQL text is made: Identifier (a name that came from the schema, always quoted),
// Fragment (a string literal in our source) and bound parameters. Query{text, params} is what
// the builders produce and the only thing db::Connection::Prepare accepts for builder SQL.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/value.h"

namespace almanac::sql {

// SQL text that is a literal in our source code; never built from user input.
class Fragment {
 public:
  consteval Fragment(const char* text) : text_(text) {}  // NOLINT(google-explicit-constructor)
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
};

// A table, view or column name. Always written as "name" with inner quotes doubled.
// Construct one only from a name read out of the schema catalog.
class Identifier {
 public:
  static Identifier FromSchema(std::string name) { return Identifier(std::move(name)); }
  // The name of a table or column the write API is about to create or rename to: it cannot
  // come from the schema yet. Quoting still makes any string safe as an identifier.
  static Identifier ForNewObject(std::string name) { return Identifier(std::move(name)); }
  const std::string& name() const { return name_; }
  // "name" with any " doubled.
  std::string Quoted() const;
  // Datasette's escape_sqlite: the bare name when it is a plain word ([A-Za-z_][A-Za-z0-9_]*)
  // that is not an SQLite keyword, else Quoted(). Either form names the same identifier.
  std::string Escaped() const;

 private:
  explicit Identifier(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// SQL text with positional "?" parameters, one Value per "?". `has_user_sql` marks text that
// embeds a user-written fragment (?_where=); db::Execute then runs it under the read-only
// authorizer and requires a read-only statement, as it does for arbitrary SQL.
struct Query {
  std::string text;
  std::vector<Value> params;
  bool has_user_sql = false;
};

// A `?_where=` fragment: SQL written by a user who may execute SQL, to be AND-ed into a table
// query. Check() accepts it only when it cannot reach outside its own parentheses: no ';', no
// comments, parentheses balanced (never closing more than it opened) outside strings and
// quoted names, and every string or quoted name terminated.
class WhereFragment {
 public:
  static Result<WhereFragment> Check(std::string_view sql);
  const std::string& text() const { return text_; }

 private:
  explicit WhereFragment(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// Builds a Query piece by piece.
class QueryBuilder {
 public:
  QueryBuilder& Add(Fragment f) {
    query_.text += f.text();
    return *this;
  }
  QueryBuilder& Add(const Identifier& id) {
    query_.text += id.Quoted();
    return *this;
  }
  // Appends `id` in Datasette's spelling (Identifier::Escaped): bare when that is unambiguous.
  QueryBuilder& Name(const Identifier& id) {
    query_.text += id.Escaped();
    return *this;
  }
  // Appends "?" and binds `v` to it.
  QueryBuilder& Bind(Value v) {
    query_.text += '?';
    query_.params.push_back(std::move(v));
    return *this;
  }
  // Appends another query's text and parameters.
  QueryBuilder& Append(const Query& q) {
    query_.text += q.text;
    query_.params.insert(query_.params.end(), q.params.begin(), q.params.end());
    query_.has_user_sql = query_.has_user_sql || q.has_user_sql;
    return *this;
  }
  // Appends "(<fragment>)" and marks the query as holding user SQL.
  QueryBuilder& Add(const WhereFragment& f) {
    query_.text += '(';
    query_.text += f.text();
    query_.text += ')';
    query_.has_user_sql = true;
    return *this;
  }
  // Appends a decimal integer literal (a number we computed, e.g. a LIMIT).
  QueryBuilder& Integer(int64_t n) {
    query_.text += std::to_string(n);
    return *this;
  }
  const std::string& text() const { return query_.text; }
  Query Build() && { return std::move(query_); }
  const Query& query() const { return query_; }

 private:
  Query query_;
};

// Quotes a name for SQL: "name" with inner " doubled. Prefer Identifier where possible.
std::string QuoteIdentifier(std::string_view name);

// Datasette's escape_sqlite(name): bare when a plain word that is not an SQLite keyword.
std::string EscapeIdentifier(std::string_view name);

// True when `word` (any case) is an SQLite keyword (SQLite 3.40's list).
bool IsSqlKeyword(std::string_view word);

// The query as Datasette displays it (?_extra=query): each "?" becomes ":p0", ":p1", ... in
// order, and the parameters are named to match. "?" inside quoted names or strings is kept.
struct NamedQuery {
  std::string sql;
  std::vector<std::pair<std::string, Value>> params;
};
NamedQuery ToNamedParams(const Query& query);

// Arbitrary SQL typed by a user (?sql=, canned queries). It only runs on read-only connections
// under the authorizer and a deadline; `:named` parameters are bound from the request.
struct UserSql {
  std::string text;
  std::vector<std::pair<std::string, Value>> named_params;
};

// The `:name` parameters a SQL text uses, in order of first appearance, without the colon.
// String literals, quoted identifiers and comments are skipped.
std::vector<std::string> NamedParameters(std::string_view sql);

}  // namespace almanac::sql
