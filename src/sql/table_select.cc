#include "sql/table_select.h"

namespace almanac::sql {
namespace {

// "where a and b " (Datasette's spelling, trailing space), or nothing.
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

// The keyset condition for a sorted page, following Datasette's SQL.
Query SortedAfter(const TableSelect& s, const Query& keys_after) {
  const Identifier& column = *s.sort;
  QueryBuilder b;
  if (!s.after_sort_value) {
    if (s.sort_descending) {
      b.Add("(").Name(column).Add(" is null and ").Append(keys_after).Add(")");
    } else {
      b.Add("(").Name(column).Add(" is not null or (").Name(column).Add(" is null and ");
      b.Append(keys_after).Add("))");
    }
    return std::move(b).Build();
  }
  b.Add("(").Name(column).Add(s.sort_descending ? Fragment(" < ") : Fragment(" > "));
  b.Bind(*s.after_sort_value);
  if (s.sort_descending) b.Add(" or ").Name(column).Add(" is null");
  b.Add(" or (").Name(column).Add(" = ").Bind(*s.after_sort_value).Add(" and ");
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
    b.Name(s.primary_keys[i]);
  }
}

bool HasPkOrder(const TableSelect& s) { return s.use_rowid || !s.primary_keys.empty(); }

// The filters plus the keyset condition for _next on a table.
std::vector<Query> PageWhere(const TableSelect& s) {
  std::vector<Query> where = s.where;
  if (s.is_view || !s.after_keys) return where;
  std::optional<Query> keys_after;
  if (s.use_rowid) {
    if (!s.after_keys->empty()) keys_after = RowidAfter((*s.after_keys)[0]);
  } else if (s.after_keys->size() == s.primary_keys.size() && !s.primary_keys.empty()) {
    keys_after = KeysAfter(s.primary_keys, *s.after_keys);
  }
  if (s.sort) {
    where.push_back(SortedAfter(s, keys_after ? *keys_after : Query{"1", {}}));
  } else if (keys_after) {
    where.push_back(std::move(*keys_after));
  }
  return where;
}

void AppendColumns(QueryBuilder& b, const TableSelect& s, const std::vector<Identifier>& cols) {
  if (s.use_rowid) b.Add(cols.empty() ? Fragment("rowid") : Fragment("rowid, "));
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) b.Add(", ");
    b.Name(cols[i]);
  }
  if (!s.use_rowid && cols.empty()) b.Add("*");
}

}  // namespace

Query KeysAfter(const std::vector<Identifier>& pks, const std::vector<Value>& values) {
  // (pk1 > :p0) or (pk1 = :p0 and pk2 > :p1) or ...
  QueryBuilder b;
  b.Add("(");
  for (size_t n = 1; n <= pks.size(); ++n) {
    if (n > 1) b.Add("\n  or\n");
    b.Add("(");
    for (size_t i = 0; i + 1 < n; ++i) b.Name(pks[i]).Add(" = ").Bind(values[i]).Add(" and ");
    b.Name(pks[n - 1]).Add(" > ").Bind(values[n - 1]).Add(")");
  }
  b.Add(")");
  return std::move(b).Build();
}

Query BuildSelect(const TableSelect& s) {
  QueryBuilder b;
  b.Add("select ");
  AppendColumns(b, s, s.columns);
  b.Add(" from ").Name(s.table).Add(" ");
  AppendWhere(b, PageWhere(s));
  if (s.sort) {
    b.Add("order by ").Name(*s.sort);
    if (s.sort_descending) b.Add(" desc");
    if (!s.is_view && HasPkOrder(s)) {
      b.Add(", ");
      AppendPkOrder(b, s);
    }
  } else if (!s.is_view && HasPkOrder(s)) {
    b.Add("order by ");
    AppendPkOrder(b, s);
  }
  b.Add(" limit ").Integer(s.limit);
  if (s.is_view && s.offset > 0) b.Add(" offset ").Integer(s.offset);
  return std::move(b).Build();
}

Query BuildCountDisplay(const TableSelect& s) {
  QueryBuilder b;
  b.Add("select count(*) from ").Name(s.table).Add(" ");
  AppendWhere(b, s.where);
  return std::move(b).Build();
}

Query BuildCappedCount(const TableSelect& s, int64_t cap) {
  QueryBuilder b;
  b.Add("select count(*) from (select * from ").Name(s.table).Add(" ");
  AppendWhere(b, s.where);
  b.Add("limit ").Integer(cap).Add(")");
  return std::move(b).Build();
}

Query BuildInnerSelect(const TableSelect& s) {
  QueryBuilder b;
  b.Add("select ");
  AppendColumns(b, s, s.all_columns);
  b.Add(" from ").Name(s.table).Add(" ");
  AppendWhere(b, s.where);
  return std::move(b).Build();
}

Query WhereOnly(const TableSelect& s) {
  QueryBuilder b;
  for (size_t i = 0; i < s.where.size(); ++i) {
    if (i) b.Add(" and ");
    b.Append(s.where[i]);
  }
  return std::move(b).Build();
}

}  // namespace almanac::sql
