#include "links/link_reader.h"

namespace almanac::links {

Result<std::vector<SourceCount>> CountLinks(db::Connection& conn, const std::string& target_table,
                                            const std::string& target_key) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"SELECT source_table, source_column, n FROM _almanac_link_counts WHERE "
                    "target_table = ? AND target_key = ? ORDER BY source_table, source_column",
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
  sql::Query query;
  query.text =
      "SELECT source_table, source_column, source_pk FROM _almanac_links WHERE target_table = ? "
      "AND target_key = ?";
  query.params = {Value::Text(target_table), Value::Text(target_key)};
  if (source) {
    query.text += " AND source_table = ? AND source_column = ?";
    query.params.push_back(Value::Text(source->table));
    query.params.push_back(Value::Text(source->column));
  }
  if (after) {
    query.text += " AND (source_table, source_column, source_pk) > (?, ?, ?)";
    query.params.push_back(Value::Text(after->table));
    query.params.push_back(Value::Text(after->column));
    query.params.push_back(Value::Text(after->pk));
  }
  query.text += " ORDER BY source_table, source_column, source_pk LIMIT ?";
  query.params.push_back(Value::Integer(static_cast<int64_t>(limit)));
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare(query));
  std::vector<LinkingRow> rows;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    rows.push_back(LinkingRow{std::string(stmt.ColumnText(0)), std::string(stmt.ColumnText(1)),
                              std::string(stmt.ColumnText(2))});
  }
  return rows;
}

}  // namespace almanac::links
