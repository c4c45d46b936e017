#include "links/link_pending.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "changes/bytes.h"

namespace almanac::links {
namespace {

using changes::ByteReader;

bool ByEntry(const LinkChange& a, const LinkChange& b) { return a.entry < b.entry; }

constexpr uint8_t kTextKey = 0x01;
constexpr uint8_t kAdded = 0x02;

Result<bool> FirstLayout(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"SELECT 1 FROM pragma_table_info('_almanac_link_pending') WHERE name = "
                    "'delta'",
                    {}}));
  return stmt.Step();
}

// The first layout's net changes (optionally of one kind), sorted.
Result<LinkChanges> FirstLayoutChanges(db::Connection& conn, std::optional<int64_t> kind) {
  sql::Query query;
  query.text = "SELECT kind, target_key, source_pk, sum(delta) FROM _almanac_link_pending ";
  if (kind) {
    query.text += "WHERE kind = ? ";
    query.params.push_back(Value::Integer(*kind));
  }
  query.text +=
      "GROUP BY kind, target_key, source_pk HAVING sum(delta) != 0 ORDER BY kind, target_key, "
      "source_pk";
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare(query));
  LinkChanges out;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(LinkChange{
        Entry{stmt.ColumnInt(0), std::string(stmt.ColumnText(1)), StoredPk::FromColumn(stmt, 2)},
        static_cast<int>(stmt.ColumnInt(3))});
  }
  return out;
}

// Every pending row's changes (of `kind` and/or `target_key` when given), netted.
Result<LinkChanges> ReadPending(db::Connection& conn, std::optional<int64_t> kind,
                                std::optional<std::string_view> target_key) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                       conn.Prepare({"SELECT changes FROM _almanac_link_pending", {}}));
  LinkChanges out;
  // Each row is sorted already (a job's netted changes): the runs are merged, pairwise, rather
  // than the whole sorted again.
  std::vector<size_t> runs{0};
  bool sorted = true;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ALM_RETURN_IF_ERROR(DecodeLinkChanges(stmt.ColumnBlob(0), kind, target_key, out));
    if (out.size() == runs.back()) continue;
    sorted = sorted &&
             std::is_sorted(out.begin() + static_cast<ptrdiff_t>(runs.back()), out.end(), ByEntry);
    runs.push_back(out.size());
  }
  if (!sorted) {
    NetChanges(out);
    return out;
  }
  while (runs.size() > 2) {
    std::vector<size_t> merged{0};
    for (size_t i = 0; i + 1 < runs.size(); i += 2) {
      size_t end = i + 2 < runs.size() ? runs[i + 2] : runs[i + 1];
      std::inplace_merge(out.begin() + static_cast<ptrdiff_t>(runs[i]),
                         out.begin() + static_cast<ptrdiff_t>(runs[i + 1]),
                         out.begin() + static_cast<ptrdiff_t>(end), ByEntry);
      merged.push_back(end);
    }
    runs = std::move(merged);
  }
  NetSorted(out);
  return out;
}

}  // namespace

void NetChanges(LinkChanges& changes) {
  std::sort(changes.begin(), changes.end(), ByEntry);
  NetSorted(changes);
}

void NetSorted(LinkChanges& changes) {
  size_t kept = 0;
  for (size_t i = 0; i < changes.size();) {
    size_t j = i;
    int sum = 0;
    for (; j < changes.size() && changes[j].entry == changes[i].entry; ++j) {
      sum += changes[j].delta;
    }
    if (sum != 0) {
      if (kept != i) changes[kept].entry = std::move(changes[i].entry);
      changes[kept++].delta = sum;
    }
    i = j;
  }
  changes.resize(kept);
}

std::string EncodeLinkChanges(const LinkChanges& changes) {
  std::string out;
  out.reserve(changes.size() * 16);
  for (const LinkChange& change : changes) {
    const Entry& e = change.entry;
    // A delta beyond one (not in an exact index) is as many changes of one.
    for (int i = 0; i < std::abs(change.delta); ++i) {
      changes::PutVarint(out, static_cast<uint64_t>(e.kind));
      changes::PutBytes(out, e.target_key);
      uint8_t tag = (e.source_pk.is_int ? 0 : kTextKey) | (change.delta > 0 ? kAdded : 0);
      out.push_back(static_cast<char>(tag));
      if (e.source_pk.is_int) {
        changes::PutSigned(out, e.source_pk.integer);
      } else {
        changes::PutBytes(out, e.source_pk.text);
      }
    }
  }
  return out;
}

Status DecodeLinkChanges(std::string_view blob, std::optional<int64_t> kind,
                         std::optional<std::string_view> target_key, LinkChanges& out) {
  ByteReader in(blob);
  while (!in.done()) {
    auto k = static_cast<int64_t>(in.Varint());
    std::string_view target = in.Bytes();
    uint8_t tag = in.Byte();
    int64_t integer = 0;
    std::string_view text;
    if (tag & kTextKey) {
      text = in.Bytes();
    } else {
      integer = in.Signed();
    }
    if (!in.ok()) return Internal("pending link changes cut short");
    if ((kind && k != *kind) || (target_key && target != *target_key)) continue;
    LinkChange change;
    change.entry.kind = k;
    change.entry.target_key = std::string(target);
    change.entry.source_pk.is_int = (tag & kTextKey) == 0;
    change.entry.source_pk.integer = integer;
    change.entry.source_pk.text = std::string(text);
    change.delta = (tag & kAdded) ? 1 : -1;
    out.push_back(std::move(change));
  }
  return Status::Ok();
}

Result<int64_t> AppendPending(db::Connection& conn, const LinkChanges& changes) {
  if (changes.empty()) return int64_t{0};
  std::string blob = EncodeLinkChanges(changes);
  ALM_ASSIGN_OR_RETURN(db::Statement insert,
                       conn.Prepare({"INSERT INTO _almanac_link_pending (n, changes) VALUES (?, ?)",
                                     std::vector<Value>(2)}));
  int64_t n = 0;
  for (const LinkChange& change : changes) n += std::abs(change.delta);
  ALM_RETURN_IF_ERROR(insert.BindInt(1, n));
  ALM_RETURN_IF_ERROR(insert.BindBlob(2, blob));
  ALM_RETURN_IF_ERROR(insert.Step().status());
  insert.Reset();
  return n;
}

Status ApplyToIndex(db::Connection& conn, const LinkChanges& changes) {
  if (changes.empty()) return Status::Ok();
  ALM_ASSIGN_OR_RETURN(IndexWriter writer, IndexWriter::Open(conn));
  for (const LinkChange& change : changes) {
    ALM_RETURN_IF_ERROR(writer.Change(change.entry, change.delta));
  }
  return writer.Finish();
}

Result<int64_t> CountPending(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                       conn.Prepare({"SELECT coalesce(sum(n), 0) FROM _almanac_link_pending", {}}));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt(0) : int64_t{0};
}

Result<int64_t> MergePending(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(int64_t rows, CountPending(conn));
  if (rows == 0) return int64_t{0};
  ALM_ASSIGN_OR_RETURN(LinkChanges changes, ReadPending(conn, std::nullopt, std::nullopt));
  ALM_RETURN_IF_ERROR(ApplyToIndex(conn, changes));
  // Without WHERE: SQLite frees the table's pages at once rather than row by row.
  ALM_RETURN_IF_ERROR(conn.Exec("DELETE FROM _almanac_link_pending"));
  return rows;
}

Result<LinkChanges> PendingForTarget(db::Connection& conn, const std::string& target_key) {
  return ReadPending(conn, std::nullopt, target_key);
}

Result<LinkChanges> PendingForKind(db::Connection& conn, int64_t kind) {
  ALM_ASSIGN_OR_RETURN(bool first, FirstLayout(conn));
  if (first) return FirstLayoutChanges(conn, kind);
  return ReadPending(conn, kind, std::nullopt);
}

Status DropPendingKind(db::Connection& conn, int64_t kind) {
  ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                       conn.Prepare({"SELECT seq, changes FROM _almanac_link_pending", {}}));
  std::vector<std::pair<int64_t, LinkChanges>> rewritten;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    LinkChanges all;
    ALM_RETURN_IF_ERROR(DecodeLinkChanges(stmt.ColumnBlob(1), std::nullopt, std::nullopt, all));
    size_t before = all.size();
    std::erase_if(all, [kind](const LinkChange& c) { return c.entry.kind == kind; });
    if (all.size() != before) rewritten.emplace_back(stmt.ColumnInt(0), std::move(all));
  }
  stmt = db::Statement();
  for (auto& [seq, rest] : rewritten) {
    if (rest.empty()) {
      ALM_ASSIGN_OR_RETURN(
          db::Statement drop,
          conn.Prepare({"DELETE FROM _almanac_link_pending WHERE seq = ?", {Value::Integer(seq)}}));
      ALM_RETURN_IF_ERROR(drop.Step().status());
      continue;
    }
    std::string blob = EncodeLinkChanges(rest);
    ALM_ASSIGN_OR_RETURN(
        db::Statement update,
        conn.Prepare({"UPDATE _almanac_link_pending SET n = ?, changes = ? WHERE seq = ?",
                      std::vector<Value>(3)}));
    ALM_RETURN_IF_ERROR(update.BindInt(1, static_cast<int64_t>(rest.size())));
    ALM_RETURN_IF_ERROR(update.BindBlob(2, blob));
    ALM_RETURN_IF_ERROR(update.BindInt(3, seq));
    ALM_RETURN_IF_ERROR(update.Step().status());
  }
  return Status::Ok();
}

Result<int64_t> MigratePendingLayout(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(bool first, FirstLayout(conn));
  if (!first) return int64_t{0};
  ALM_ASSIGN_OR_RETURN(LinkChanges changes, FirstLayoutChanges(conn, std::nullopt));
  ALM_RETURN_IF_ERROR(conn.Exec("DROP TABLE _almanac_link_pending"));
  ALM_RETURN_IF_ERROR(conn.Exec(PendingSchemaSql()));
  return AppendPending(conn, changes);
}

}  // namespace almanac::links
