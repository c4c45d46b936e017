#include "sql/search.h"

#include <vector>

namespace almanac::sql {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::string EscapeFts(std::string_view query) {
  std::string text(query);
  size_t quotes = 0;
  for (char c : text) quotes += c == '"' ? 1 : 0;
  if (quotes % 2) text += '"';

  // re.split(r'\s+|(".*?")', text), keeping the quoted phrases as their own pieces.
  std::vector<std::string> bits;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) bits.push_back(std::move(current));
    current.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (IsSpace(c)) {
      flush();
    } else if (c == '"') {
      flush();
      size_t end = text.find('"', i + 1);  // always found: the quotes are balanced
      std::string phrase = text.substr(i, end - i + 1);
      if (phrase != "\"\"") bits.push_back(std::move(phrase));
      i = end;
    } else {
      current += c;
    }
  }
  flush();

  std::string out;
  for (const std::string& bit : bits) {
    if (!out.empty()) out += ' ';
    if (bit.front() == '"') {
      out += bit;
    } else {
      out += '"';
      out += bit;
      out += '"';
    }
  }
  return out;
}

Query SearchClause(const Identifier& pk, const Identifier& fts_table,
                   const std::optional<Identifier>& column, std::string match) {
  QueryBuilder b;
  b.Name(pk).Add(" in (select rowid from ").Name(fts_table).Add(" where ");
  b.Name(column ? *column : fts_table).Add(" match ").Bind(Value::Text(std::move(match)));
  b.Add(")");
  return std::move(b).Build();
}

Query ThroughClause(const Identifier& our_pk, const Identifier& our_column,
                    const Identifier& through_table, const Identifier& other_column, Value value) {
  QueryBuilder b;
  b.Name(our_pk).Add(" in (select ").Name(our_column).Add(" from ").Name(through_table);
  b.Add(" where ").Name(other_column).Add(" = ").Bind(std::move(value)).Add(")");
  return std::move(b).Build();
}

}  // namespace almanac::sql
