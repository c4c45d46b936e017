#include "links/link_reader.h"

#include <tuple>

#include "links/link_store.h"

namespace almanac::links {

Result<std::vector<SourceCount>> CountLinks(db::Connection& conn, const std::string& target_table,
                                            const std::string& target_key) {
  // CROSS JOIN keeps the kinds (a few rows) outside: without statistics SQLite may otherwise
  // scan every counter for the target key, which is not a prefix of their primary key.
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"SELECT k.source_table, k.source_column, c.n FROM _almanac_link_kinds k "
                    "CROSS JOIN _almanac_link_counts c ON c.kind = k.id AND c.target_key = ?2 "
                    "WHERE k.target_table = ?1 ORDER BY k.source_table, k.source_column",
                    {Value::Text(target_table), Value::Text(target_key)}}));
  std::vector<SourceCount> counts;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    counts.push_back(SourceCount{std::string(stmt.ColumnText(0)), std::string(stmt.ColumnText(1)),
                                 stmt.ColumnInt(2)});
  }
  return counts;
}

Result<std::vector<LinkingRow>> PageLinks(db::Connection& conn, const std::string& target_table,
                                          const std::string& target_key,
                                          const std::optional<LinkSource>& source,
                                          const std::optional<LinkingRow>& after, size_t limit) {
  // The sources in (table, column) order, then each source's links in key order: every step
  // is a range of a primary key, so a page costs its own size whatever the total.
  ALM_ASSIGN_OR_RETURN(std::vector<Kind> kinds, KindsOfTarget(conn, target_table));
  std::vector<LinkingRow> rows;
  for (const Kind& kind : kinds) {
    if (rows.size() >= limit) break;
    if (source && (kind.source_table != source->table || kind.source_column != source->column)) {
      continue;
    }
    std::optional<StoredPk> from;
    if (after) {
      auto here = std::tie(kind.source_table, kind.source_column);
      auto there = std::tie(after->table, after->column);
      if (here < there) continue;
      if (here == there) from = StoredPk::FromJson(after->pk);
    }
    sql::Query query;
    query.text = "SELECT source_pk FROM _almanac_links WHERE kind = ? AND target_key = ?";
    query.params = {Value::Integer(kind.id), Value::Text(target_key)};
    if (from) {
      query.text += " AND source_pk > ?";
      query.params.push_back(from->is_int ? Value::Integer(from->integer)
                                          : Value::Text(from->text));
    }
    query.text += " ORDER BY source_pk LIMIT ?";
    query.params.push_back(Value::Integer(static_cast<int64_t>(limit - rows.size())));
    ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare(query));
    for (;;) {
      ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      rows.push_back(LinkingRow{kind.source_table, kind.source_column,
                                StoredPk::FromColumn(stmt, 0).ToJson()});
    }
  }
  return rows;
}

}  // namespace almanac::links
