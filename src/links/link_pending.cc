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

// The kind ids of a marker's blob.
Status DecodeMarker(std::string_view blob, std::set<int64_t>& out) {
  ByteReader in(blob);
  while (!in.done()) {
    auto kind = static_cast<int64_t>(in.Varint());
    if (!in.ok()) return Internal("pending rebuild marker cut short");
    out.insert(kind);
  }
  return Status::Ok();
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

Status AppendMarker(db::Connection& conn, const std::vector<int64_t>& kinds) {
  if (kinds.empty()) return Status::Ok();
  std::string blob;
  for (int64_t kind : kinds) changes::PutVarint(blob, static_cast<uint64_t>(kind));
  ALM_ASSIGN_OR_RETURN(
      db::Statement insert,
      conn.Prepare({"INSERT INTO _almanac_link_pending (n, changes) VALUES (?, ?)",
                    {Value::Integer(-static_cast<int64_t>(kinds.size())), Value::BlobOf(blob)}}));
  return insert.Step().status();
}

Status ApplyToIndex(db::Connection& conn, const LinkChanges& changes) {
  if (changes.empty()) return Status::Ok();
  ALM_ASSIGN_OR_RETURN(IndexWriter writer, IndexWriter::Open(conn));
  for (const LinkChange& change : changes) {
    ALM_RETURN_IF_ERROR(writer.Change(change.entry, change.delta));
  }
  return writer.Finish();
}

Result<PendingRead> ReadPending(db::Connection& conn, int64_t after_seq,
                                std::optional<int64_t> kind,
                                std::optional<std::string_view> target_key) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"SELECT seq, n, changes FROM _almanac_link_pending WHERE seq > ? ORDER BY seq",
                    {Value::Integer(after_seq)}}));
  PendingRead read;
  LinkChanges& out = read.changes;
  // Rows written sorted (by earlier versions, and the first layout's move) are runs merged
  // pairwise; any other row makes the whole be sorted.
  std::vector<size_t> runs{0};
  bool sorted = true;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    read.last_seq = stmt.ColumnInt(0);
    if (stmt.ColumnInt(1) < 0) {
      ALM_RETURN_IF_ERROR(DecodeMarker(stmt.ColumnBlob(2), read.reset));
      continue;
    }
    ALM_RETURN_IF_ERROR(DecodeLinkChanges(stmt.ColumnBlob(2), kind, target_key, out));
    read.changes_read += static_cast<int64_t>(out.size() - runs.back());
    if (out.size() == runs.back()) continue;
    sorted = sorted &&
             std::is_sorted(out.begin() + static_cast<ptrdiff_t>(runs.back()), out.end(), ByEntry);
    runs.push_back(out.size());
  }
  if (!sorted) {
    NetChanges(out);
    return read;
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
  return read;
}

Result<PendingRead> PendingForTarget(db::Connection& conn, int64_t after_seq,
                                     const std::string& target_key) {
  return ReadPending(conn, after_seq, std::nullopt, target_key);
}

Result<PendingRead> PendingForKind(db::Connection& conn, int64_t after_seq, int64_t kind) {
  ALM_ASSIGN_OR_RETURN(bool first, FirstLayout(conn));
  if (!first) return ReadPending(conn, after_seq, kind, std::nullopt);
  PendingRead read;
  ALM_ASSIGN_OR_RETURN(read.changes, FirstLayoutChanges(conn, kind));
  return read;
}

Result<PendingSpan> PendingSpanAfter(db::Connection& conn, int64_t after_seq) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"SELECT (SELECT coalesce(sum(max(n, 0)), 0) FROM _almanac_link_pending WHERE "
                    "seq > ?), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM "
                    "_almanac_link_pending",
                    {Value::Integer(after_seq)}}));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  PendingSpan span;
  if (row) {
    span.changes = stmt.ColumnInt(0);
    span.first_seq = stmt.ColumnInt(1);
    span.last_seq = stmt.ColumnInt(2);
  }
  return span;
}

bool SideMatches(const SideState& side, const std::string& main_id, const PendingSpan& span) {
  if (main_id.empty() || side.main_id != main_id) return false;
  if (span.last_seq == 0) return side.through == 0;
  return side.through >= span.first_seq - 1 && side.through <= span.last_seq;
}

Status DeleteMerged(db::Connection& conn, int64_t through) {
  // The newest row stays: SQLite numbers a new row after the largest seq left, and a seq the
  // side file has merged must never come again.
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"DELETE FROM _almanac_link_pending WHERE seq <= ?1 AND seq < (SELECT max(seq) "
                    "FROM _almanac_link_pending)",
                    {Value::Integer(through)}}));
  return stmt.Step().status();
}

Result<std::optional<int64_t>> MigratePendingLayout(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(bool first, FirstLayout(conn));
  if (!first) return std::optional<int64_t>();
  ALM_ASSIGN_OR_RETURN(LinkChanges changes, FirstLayoutChanges(conn, std::nullopt));
  ALM_RETURN_IF_ERROR(conn.Exec("DROP TABLE _almanac_link_pending"));
  ALM_RETURN_IF_ERROR(conn.Exec(PendingSchemaSql()));
  ALM_ASSIGN_OR_RETURN(int64_t moved, AppendPending(conn, changes));
  return std::optional<int64_t>(moved);
}

}  // namespace almanac::links
