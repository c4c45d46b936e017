#include "links/link_pending.h"

#include <utility>
#include <vector>

namespace almanac::links {
namespace {

// Reads (kind, target_key, source_pk, net delta) rows into `out`.
Result<LinkChanges> ReadChanges(db::Statement& stmt) {
  LinkChanges out;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    Entry entry{stmt.ColumnInt(0), std::string(stmt.ColumnText(1)), StoredPk::FromColumn(stmt, 2)};
    out.emplace_hint(out.end(), std::move(entry), static_cast<int>(stmt.ColumnInt(3)));
  }
  return out;
}

constexpr const char* kNetChanges =
    "SELECT kind, target_key, source_pk, sum(delta) FROM _almanac_link_pending ";
constexpr const char* kNetGroup =
    " GROUP BY kind, target_key, source_pk HAVING sum(delta) != 0 ORDER BY kind, target_key, "
    "source_pk";

}  // namespace

Result<int64_t> AppendPending(db::Connection& conn, const LinkChanges& changes) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement insert,
      conn.Prepare({"INSERT INTO _almanac_link_pending (kind, target_key, source_pk, delta) "
                    "VALUES (?, ?, ?, ?)",
                    std::vector<Value>(4)}));
  int64_t appended = 0;
  for (const auto& [entry, delta] : changes) {
    if (delta == 0) continue;
    ALM_RETURN_IF_ERROR(insert.BindInt(1, entry.kind));
    ALM_RETURN_IF_ERROR(insert.BindText(2, entry.target_key));
    ALM_RETURN_IF_ERROR(entry.source_pk.Bind(insert, 3));
    ALM_RETURN_IF_ERROR(insert.BindInt(4, delta > 0 ? 1 : -1));
    ALM_RETURN_IF_ERROR(insert.Step().status());
    insert.Reset();
    ++appended;
  }
  return appended;
}

Status ApplyToIndex(db::Connection& conn, const LinkChanges& changes) {
  if (changes.empty()) return Status::Ok();
  ALM_ASSIGN_OR_RETURN(IndexWriter writer, IndexWriter::Open(conn));
  for (const auto& [entry, delta] : changes) ALM_RETURN_IF_ERROR(writer.Change(entry, delta));
  return writer.Finish();
}

Result<int64_t> CountPending(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                       conn.Prepare({"SELECT count(*) FROM _almanac_link_pending", {}}));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt(0) : int64_t{0};
}

Result<int64_t> MergePending(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(int64_t rows, CountPending(conn));
  if (rows == 0) return int64_t{0};
  LinkChanges changes;
  {
    ALM_ASSIGN_OR_RETURN(db::Statement net,
                         conn.Prepare({std::string(kNetChanges) + kNetGroup, {}}));
    ALM_ASSIGN_OR_RETURN(changes, ReadChanges(net));
  }
  ALM_RETURN_IF_ERROR(ApplyToIndex(conn, changes));
  // Without WHERE: SQLite frees the table's pages at once rather than row by row.
  ALM_RETURN_IF_ERROR(conn.Exec("DELETE FROM _almanac_link_pending"));
  return rows;
}

Result<LinkChanges> PendingForTarget(db::Connection& conn, const std::string& target_key) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                       conn.Prepare({std::string(kNetChanges) + "WHERE target_key = ?" + kNetGroup,
                                     {Value::Text(target_key)}}));
  return ReadChanges(stmt);
}

Result<LinkChanges> PendingForKind(db::Connection& conn, int64_t kind) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                       conn.Prepare({std::string(kNetChanges) + "WHERE kind = ?" + kNetGroup,
                                     {Value::Integer(kind)}}));
  return ReadChanges(stmt);
}

}  // namespace almanac::links
