// The only ways SQL text is made: Identifier (a name that came from the schema, always quoted),
// Fragment (a string literal in our source) and bound parameters. Query{text, params} is what
// the builders produce and the only thing db::Connection::Prepare accepts for builder SQL.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

 private:
  explicit Identifier(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// SQL text with positional "?" parameters, one Value per "?".
struct Query {
  std::string text;
  std::vector<Value> params;
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
