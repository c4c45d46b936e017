#include "sql/table_select.h"

namespace almanac::sql {
namespace {

void AppendWhere(QueryBuilder& b, const std::vector<Query>& clauses) {
  bool first = true;
  for (const Query& clause : clauses) {
    b.Add(first ? Fragment("where ") : Fragment(" and "));
    b.Append(clause);
    first = false;
  }
  if (!first) b.Add(" ");
}

Query RowidAfter(const Value& value) {
  QueryBuilder b;
  b.Add("rowid > ").Bind(value);
  return std::move(b).Build();
}

// The keyset condition for a sorted page, following Datasette's SQL exactly.
Query SortedAfter(const TableSelect& s, const Query& keys_after) {
  const Identifier& column = *s.sort;
  QueryBuilder b;
  if (s.after_sort_is_null || !s.after_sort_value) {
    if (s.sort_descending) {
      b.Add("(").Add(column).Add(" is null and ").Append(keys_after).Add(")");
    } else {
      b.Add("(").Add(column).Add(" is not null or (").Add(column).Add(" is null and ");
      b.Append(keys_after).Add("))");
    }
    return std::move(b).Build();
  }
  b.Add("(").Add(column).Add(s.sort_descending ? Fragment(" < ") : Fragment(" > "));
  b.Bind(*s.after_sort_value);
  if (s.sort_descending) b.Add(" or ").Add(column).Add(" is null");
  b.Add(" or (").Add(column).Add(" = ").Bind(*s.after_sort_value).Add(" and ");
  b.Append(keys_after).Add("))");
  return std::move(b).Build();
}

void AppendPkOrder(QueryBuilder& b, const TableSelect& s) {
  if (s.use_rowid) {
    b.Add("rowid");
    return;
  }
  for (size_t i = 0; i < s.primary_keys.size(); ++i) {
    if (i) b.Add(", ");
    b.Add(s.primary_keys[i]);
  }
}

}  // namespace

Query KeysAfter(const std::vector<Identifier>& pks, const std::vector<Value>& values) {
  // (pk1 > :p0) or (pk1 = :p0 and pk2 > :p1) or ...
  QueryBuilder b;
  b.Add("(");
  for (size_t n = 1; n <= pks.size(); ++n) {
    if (n > 1) b.Add("\n  or\n");
    b.Add("(");
    for (size_t i = 0; i + 1 < n; ++i) b.Add(pks[i]).Add(" = ").Bind(values[i]).Add(" and ");
    b.Add(pks[n - 1]).Add(" > ").Bind(values[n - 1]).Add(")");
  }
  b.Add(")");
  return std::move(b).Build();
}

Query BuildSelect(const TableSelect& s) {
  std::vector<Query> where = s.where;
  bool sorted = s.sort.has_value() && !s.is_view;
  if (!s.is_view && s.after_keys) {
    std::optional<Query> keys_after;
    if (s.use_rowid) {
      if (!s.after_keys->empty()) keys_after = RowidAfter((*s.after_keys)[0]);
    } else if (s.after_keys->size() == s.primary_keys.size() && !s.primary_keys.empty()) {
      keys_after = KeysAfter(s.primary_keys, *s.after_keys);
    }
    if (sorted) {
      where.push_back(SortedAfter(s, keys_after ? *keys_after : Query{"1", {}}));
    } else if (keys_after) {
      where.push_back(std::move(*keys_after));
    }
  }

  QueryBuilder b;
  b.Add("select ");
  if (s.use_rowid) b.Add(s.columns.empty() ? Fragment("rowid") : Fragment("rowid, "));
  for (size_t i = 0; i < s.columns.size(); ++i) {
    if (i) b.Add(", ");
    b.Add(s.columns[i]);
  }
  b.Add(" from ").Add(s.table).Add(" ");
  AppendWhere(b, where);
  if (sorted) {
    b.Add("order by ").Add(*s.sort);
    if (s.sort_descending) b.Add(" desc");
    b.Add(", ");
    AppendPkOrder(b, s);
  } else if (!s.is_view) {
    b.Add("order by ");
    AppendPkOrder(b, s);
  }
  b.Add(" limit ").Integer(s.limit);
  if (s.is_view && s.offset > 0) b.Add(" offset ").Integer(s.offset);
  return std::move(b).Build();
}

Query BuildCount(const TableSelect& s) {
  QueryBuilder b;
  b.Add("select count(*) from ").Add(s.table).Add(" ");
  AppendWhere(b, s.where);
  return std::move(b).Build();
}

}  // namespace almanac::sql
