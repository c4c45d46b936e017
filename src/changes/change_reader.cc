#include "changes/change_reader.h"

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

const char* ChangeLogSchemaSql() {
  return "CREATE TABLE IF NOT EXISTS _almanac_changes ("
         "seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, table_name TEXT, op TEXT NOT NULL, "
         "pk TEXT, row TEXT, old TEXT);"
         "CREATE INDEX IF NOT EXISTS _almanac_changes_by_table "
         "ON _almanac_changes(table_name, seq)";
}

namespace {

std::string TextOrEmpty(const db::Statement& stmt, int i) {
  return stmt.ColumnType(i) == 5 /* SQLITE_NULL */ ? std::string()
                                                   : std::string(stmt.ColumnText(i));
}

}  // namespace

Result<std::vector<ChangeEvent>> ReadChanges(db::Connection& conn, int64_t after,
                                             const std::optional<std::string>& table,
                                             size_t limit) {
  sql::Query query;
  if (table) {
    query.text =
        "SELECT seq, time_ms, table_name, op, pk, row, old FROM _almanac_changes "
        "WHERE table_name = ? AND seq > ? ORDER BY seq LIMIT ?";
    query.params.push_back(Value::Text(*table));
  } else {
    query.text =
        "SELECT seq, time_ms, table_name, op, pk, row, old FROM _almanac_changes "
        "WHERE seq > ? ORDER BY seq LIMIT ?";
  }
  query.params.push_back(Value::Integer(after));
  query.params.push_back(Value::Integer(static_cast<int64_t>(limit)));
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare(query));
  std::vector<ChangeEvent> events;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ChangeEvent event;
    event.seq = stmt.ColumnInt(0);
    event.time_ms = stmt.ColumnInt(1);
    event.table = TextOrEmpty(stmt, 2);
    event.op = TextOrEmpty(stmt, 3);
    event.pk = TextOrEmpty(stmt, 4);
    event.row = TextOrEmpty(stmt, 5);
    event.old = TextOrEmpty(stmt, 6);
    RenderJson(event);
    events.push_back(std::move(event));
  }
  return events;
}

Result<int64_t> LastSeq(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement exists,
      conn.Prepare({"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                    {Value::Text(kChangesTable)}}));
  ALM_ASSIGN_OR_RETURN(bool found, exists.Step());
  if (!found) return int64_t{0};
  ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                       conn.Prepare({"SELECT coalesce(max(seq), 0) FROM _almanac_changes", {}}));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt(0) : int64_t{0};
}

}  // namespace almanac::changes
