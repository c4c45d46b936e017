#include "changes/change_reader.h"

#include <algorithm>

#include "changes/change_codec.h"
#include "format/json_writer.h"

namespace almanac::changes {

void RenderJson(ChangeEvent& event) {
  std::string out;
  out.reserve(64 + event.table.size() + event.pk.size() + event.row.size() + event.old.size());
  format::JsonWriter json(out);
  json.BeginObject();
  json.Member("seq", event.seq);
  json.Member("time_ms", event.time_ms);
  json.Key("table");
  if (event.table.empty()) {
    json.Null();
  } else {
    json.String(event.table);
  }
  json.Member("op", event.op);
  json.Key("pk");
  json.Raw(event.pk.empty() ? "null" : event.pk);
  json.Key("row");
  json.Raw(event.row.empty() ? "null" : event.row);
  if (!event.old.empty()) {
    json.Key("old");
    json.Raw(event.old);
  }
  json.EndObject();
  event.json = std::move(out);
}

std::string KeyJson(const db::TableInfo* info, const std::vector<Value>& values, int64_t rowid) {
  std::string out;
  format::JsonWriter json(out);
  json.BeginArray();
  bool declared = info && !info->primary_keys.empty();
  if (declared) {
    for (const std::string& key : info->primary_keys) {
      size_t index = 0;
      while (index < info->columns.size() && info->columns[index].name != key) ++index;
      if (index < values.size()) {
        json.WriteValue(values[index]);
      } else {
        json.Null();
      }
    }
  } else {
    json.Int(rowid);
  }
  json.EndArray();
  return out;
}

bool SameKey(const db::TableInfo* info, const std::vector<Value>& a, int64_t a_rowid,
             const std::vector<Value>& b, int64_t b_rowid) {
  if (!info || info->primary_keys.empty()) return a_rowid == b_rowid;
  for (const std::string& key : info->primary_keys) {
    size_t index = 0;
    while (index < info->columns.size() && info->columns[index].name != key) ++index;
    const Value none;
    const Value& x = index < a.size() ? a[index] : none;
    const Value& y = index < b.size() ? b[index] : none;
    // Reals compare as JSON writes them (0.0 and -0.0 differ there).
    if (x.type() == Value::Type::kReal || y.type() == Value::Type::kReal) {
      return KeyJson(info, a, a_rowid) == KeyJson(info, b, b_rowid);
    }
    if (!(x == y)) return false;
  }
  return true;
}

const char* ChangeLogSchemaSql() {
  return "CREATE TABLE IF NOT EXISTS _almanac_change_batches ("
         "seq INTEGER PRIMARY KEY, n INTEGER NOT NULL, time_ms INTEGER NOT NULL, "
         "events BLOB NOT NULL)";
}

namespace {

Result<bool> TableExists(db::Connection& conn, const char* name) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement exists,
      conn.Prepare(
          {"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", {Value::Text(name)}}));
  return exists.Step();
}

std::string_view TextOrEmpty(const db::Statement& stmt, int i) {
  return stmt.ColumnType(i) == 5 /* SQLITE_NULL */ ? std::string_view() : stmt.ColumnText(i);
}

// Events of the first layout moved per batch: runs of consecutive seqs, this many at most.
constexpr int64_t kMigratedPerBatch = 1000;

}  // namespace

Result<int64_t> MigrateFirstLayout(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(bool old, TableExists(conn, kFirstLayoutTable));
  if (!old) return int64_t{0};
  ALM_RETURN_IF_ERROR(conn.Exec(ChangeLogSchemaSql()));
  ALM_ASSIGN_OR_RETURN(
      db::Statement insert,
      conn.Prepare({"INSERT INTO _almanac_change_batches (seq, n, time_ms, events) "
                    "VALUES (?, ?, ?, ?)",
                    std::vector<Value>(4)}));
  ALM_ASSIGN_OR_RETURN(
      db::Statement rows,
      conn.Prepare({"SELECT seq, time_ms, table_name, op, pk, row, old FROM _almanac_changes "
                    "ORDER BY seq",
                    {}}));
  struct Old {
    int64_t seq, time_ms;
    std::string table, op, pk, row, old;
  };
  std::vector<Old> run;
  int64_t moved = 0;
  auto flush = [&]() -> Status {
    if (run.empty()) return Status::Ok();
    int64_t newest = run.front().time_ms;
    for (const Old& o : run) newest = std::max(newest, o.time_ms);
    BatchEncoder batch(newest);
    for (const Old& o : run) batch.AddJson(o.time_ms, o.table, o.op, o.pk, o.row, o.old);
    std::string blob = batch.Finish();
    ALM_RETURN_IF_ERROR(insert.BindInt(1, run.front().seq));
    ALM_RETURN_IF_ERROR(insert.BindInt(2, static_cast<int64_t>(run.size())));
    ALM_RETURN_IF_ERROR(insert.BindInt(3, newest));
    ALM_RETURN_IF_ERROR(insert.BindBlob(4, blob));
    ALM_RETURN_IF_ERROR(insert.Step().status());
    insert.Reset();
    moved += static_cast<int64_t>(run.size());
    run.clear();
    return Status::Ok();
  };
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    Old o{rows.ColumnInt(0),
          rows.ColumnInt(1),
          std::string(TextOrEmpty(rows, 2)),
          std::string(TextOrEmpty(rows, 3)),
          std::string(TextOrEmpty(rows, 4)),
          std::string(TextOrEmpty(rows, 5)),
          std::string(TextOrEmpty(rows, 6))};
    if (!run.empty() &&
        (o.seq != run.back().seq + 1 || static_cast<int64_t>(run.size()) >= kMigratedPerBatch)) {
      ALM_RETURN_IF_ERROR(flush());
    }
    run.push_back(std::move(o));
  }
  ALM_RETURN_IF_ERROR(flush());
  rows = db::Statement();
  insert = db::Statement();
  ALM_RETURN_IF_ERROR(
      conn.Exec("DROP INDEX IF EXISTS _almanac_changes_by_table; DROP TABLE _almanac_changes"));
  return moved;
}

Result<std::vector<ChangeEvent>> ReadChanges(db::Connection& conn, int64_t after,
                                             const std::optional<std::string>& table, size_t limit,
                                             size_t max_writes, int64_t* read_through) {
  // From the batch holding the event after the cursor (the last batch starting at or before
  // it), in seq order.
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"SELECT seq, time_ms, events, n FROM _almanac_change_batches WHERE seq >= "
                    "coalesce((SELECT max(seq) FROM _almanac_change_batches WHERE seq <= ?1), 0) "
                    "ORDER BY seq",
                    {Value::Integer(after + 1)}}));
  std::vector<ChangeEvent> events;
  int64_t through = after;
  for (size_t writes = 0; events.size() < limit && writes < max_writes; ++writes) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    int64_t first_seq = stmt.ColumnInt(0);
    ALM_RETURN_IF_ERROR(
        DecodeBatch(first_seq, stmt.ColumnInt(1), stmt.ColumnBlob(2), after, table, limit, events));
    // The whole write was looked at unless the limit stopped its decoding.
    through = events.size() < limit ? std::max(through, first_seq + stmt.ColumnInt(3) - 1)
                                    : events.back().seq;
  }
  if (read_through) *read_through = through;
  return events;
}

Result<int64_t> LastSeq(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(bool found, TableExists(conn, kChangesTable));
  int64_t last = 0;
  if (found) {
    ALM_ASSIGN_OR_RETURN(
        db::Statement stmt,
        conn.Prepare(
            {"SELECT seq + n - 1 FROM _almanac_change_batches ORDER BY seq DESC LIMIT 1", {}}));
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (row) last = stmt.ColumnInt(0);
  }
  ALM_ASSIGN_OR_RETURN(bool old, TableExists(conn, kFirstLayoutTable));
  if (old) {
    ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                         conn.Prepare({"SELECT coalesce(max(seq), 0) FROM _almanac_changes", {}}));
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (row) last = std::max(last, stmt.ColumnInt(0));
  }
  return last;
}

}  // namespace almanac::changes
