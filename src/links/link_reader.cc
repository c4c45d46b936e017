#include "links/link_reader.h"

#include <map>
#include <tuple>
#include <utility>

#include <sqlite3.h>

#include "links/link_pending.h"
#include "links/link_store.h"

namespace almanac::links {
namespace {

// A read transaction for the reader's statements, when the connection is not in one already.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(db::Connection& conn)
      : conn_(conn),
        began_(sqlite3_get_autocommit(conn.handle()) != 0 && conn.Exec("BEGIN").ok()) {}
  ~ReadSnapshot() {
    if (began_) (void)conn_.Exec("COMMIT");
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  db::Connection& conn_;
  bool began_;
};

// The pending changes of links to `target_key` (link_pending.h), by kind: source pk -> +1/-1.
using PendingBySource = std::map<StoredPk, int>;

std::map<int64_t, PendingBySource> ByKind(LinkChanges changes) {
  std::map<int64_t, PendingBySource> by_kind;
  for (LinkChange& change : changes) {
    by_kind[change.entry.kind].emplace(std::move(change.entry.source_pk), change.delta);
  }
  return by_kind;
}

// Runs `read` with the pending changes of links to `target_key` that the side file has not
// merged, inside one read transaction (unless the connection is in one already, a request's)
// that sees the database file first and the side file after it: every row the side file had
// not merged when its snapshot began is still in the database file's (the writer deletes merged
// rows only). A marker (definitions being built again) in the database file's snapshot is
// waited for before the side file is read, so that its snapshot has the rebuilt links.
template <typename Read>
auto WithPending(const LinkIndex& index, db::Connection& conn, const std::string& target_key,
                 Read read) -> decltype(read(std::declval<LinkChanges&>())) {
  ALM_RETURN_IF_ERROR(AttachSide(conn, index.side_path()));
  ReadSnapshot snapshot(conn);
  ALM_ASSIGN_OR_RETURN(
      db::Statement markers,
      conn.Prepare({"SELECT coalesce(max(seq), 0) FROM main._almanac_link_pending WHERE seq > ? "
                    "AND n < 0",
                    {Value::Integer(index.merged_through())}}));
  ALM_ASSIGN_OR_RETURN(bool row, markers.Step());
  int64_t marker = row ? markers.ColumnInt(0) : 0;
  markers = db::Statement();
  if (marker > 0) ALM_RETURN_IF_ERROR(index.WaitMerged(marker));
  ALM_ASSIGN_OR_RETURN(SideState side, ReadSideState(conn));
  ALM_ASSIGN_OR_RETURN(PendingRead pending, PendingForTarget(conn, side.through, target_key));
  if (!pending.reset.empty()) {
    // Only when this transaction read the side file before the merge.
    return Internal("The links index is being built again; try again in a moment");
  }
  return read(pending.changes);
}

// Up to `limit` source keys of (kind, target_key) after `from`, in key order: the index's,
// less the pending removals, plus the pending additions.
Status PageKind(db::Connection& conn, const Kind& kind, const std::string& target_key,
                const std::optional<StoredPk>& from, const PendingBySource* pending, size_t limit,
                std::vector<LinkingRow>& rows) {
  size_t removals = 0;
  auto next_added = pending ? pending->begin() : PendingBySource::const_iterator();
  if (pending) {
    for (const auto& [pk, delta] : *pending) removals += delta < 0 ? 1 : 0;
    if (from) next_added = pending->upper_bound(*from);
  }
  auto emit = [&](const StoredPk& pk) {
    rows.push_back(LinkingRow{kind.source_table, kind.source_column, pk.ToJson()});
  };
  // Pending additions before `pk` (all of them when null) go first.
  auto emit_added_before = [&](const StoredPk* pk) {
    if (!pending) return;
    for (; next_added != pending->end() && rows.size() < limit && (!pk || next_added->first < *pk);
         ++next_added) {
      if (next_added->second > 0) emit(next_added->first);
    }
  };
  sql::Query query;
  query.text = "SELECT source_pk FROM _almanac_links WHERE kind = ? AND target_key = ?";
  query.params = {Value::Integer(kind.id), Value::Text(target_key)};
  if (from) {
    query.text += " AND source_pk > ?";
    query.params.push_back(from->is_int ? Value::Integer(from->integer) : Value::Text(from->text));
  }
  // Each pending removal hides at most one of the index's rows.
  query.text += " ORDER BY source_pk LIMIT ?";
  query.params.push_back(Value::Integer(static_cast<int64_t>(limit - rows.size() + removals)));
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare(query));
  while (rows.size() < limit) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    StoredPk pk = StoredPk::FromColumn(stmt, 0);
    emit_added_before(&pk);
    if (rows.size() >= limit) break;
    if (pending) {
      auto found = pending->find(pk);
      if (found != pending->end()) {
        if (found->second > 0 && next_added == found) ++next_added;  // indexed already
        if (found->second < 0) continue;                             // removed
      }
    }
    emit(pk);
  }
  emit_added_before(nullptr);
  return Status::Ok();
}

}  // namespace

Result<std::vector<SourceCount>> CountLinks(const LinkIndex& index, db::Connection& conn,
                                            const std::string& target_table,
                                            const std::string& target_key) {
  return WithPending(
      index, conn, target_key, [&](LinkChanges& pending) -> Result<std::vector<SourceCount>> {
        // The kinds (a few rows) stay the outer loop (a LEFT JOIN keeps them there): without
        // statistics SQLite may otherwise scan every counter for the target key, which is not a
        // prefix of their primary key.
        ALM_ASSIGN_OR_RETURN(
            db::Statement stmt,
            conn.Prepare({"SELECT k.id, k.source_table, k.source_column, coalesce(c.n, 0) "
                          "FROM _almanac_link_kinds k LEFT JOIN _almanac_link_counts c ON c.kind = "
                          "k.id AND c.target_key = ?2 WHERE k.target_table = ?1 "
                          "ORDER BY k.source_table, k.source_column",
                          {Value::Text(target_table), Value::Text(target_key)}}));
        std::vector<std::pair<int64_t, SourceCount>> counts;
        for (;;) {
          ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
          if (!row) break;
          counts.emplace_back(stmt.ColumnInt(0),
                              SourceCount{std::string(stmt.ColumnText(1)),
                                          std::string(stmt.ColumnText(2)), stmt.ColumnInt(3)});
        }
        std::vector<SourceCount> out;
        for (auto& [kind, count] : counts) {
          for (const LinkChange& change : pending) {
            if (change.entry.kind == kind) count.count += change.delta;
          }
          if (count.count > 0) out.push_back(std::move(count));
        }
        return out;
      });
}

Result<std::vector<LinkingRow>> PageLinks(const LinkIndex& index, db::Connection& conn,
                                          const std::string& target_table,
                                          const std::string& target_key,
                                          const std::optional<LinkSource>& source,
                                          const std::optional<LinkingRow>& after, size_t limit) {
  // The sources in (table, column) order, then each source's links in key order: every step
  // is a range of a primary key, so a page costs its own size whatever the total (and the
  // pending changes, a short table). A link both pending and indexed is one row; a pending
  // removal of a link not indexed hides nothing.
  return WithPending(
      index, conn, target_key, [&](LinkChanges& changes) -> Result<std::vector<LinkingRow>> {
        ALM_ASSIGN_OR_RETURN(std::vector<Kind> kinds, KindsOfTarget(conn, target_table));
        std::map<int64_t, PendingBySource> pending = ByKind(std::move(changes));
        std::vector<LinkingRow> rows;
        for (const Kind& kind : kinds) {
          if (rows.size() >= limit) break;
          if (source &&
              (kind.source_table != source->table || kind.source_column != source->column)) {
            continue;
          }
          std::optional<StoredPk> from;
          if (after) {
            auto here = std::tie(kind.source_table, kind.source_column);
            auto there = std::tie(after->table, after->column);
            if (here < there) continue;
            if (here == there) from = StoredPk::FromJson(after->pk);
          }
          auto found = pending.find(kind.id);
          ALM_RETURN_IF_ERROR(PageKind(conn, kind, target_key, from,
                                       found == pending.end() ? nullptr : &found->second, limit,
                                       rows));
        }
        return rows;
      });
}

}  // namespace almanac::links
