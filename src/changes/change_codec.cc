#include "changes/change_codec.h"

#include <utility>

#include "changes/bytes.h"
#include "format/json_value.h"
#include "format/json_writer.h"

namespace almanac::changes {
namespace {

constexpr uint8_t kVersion = 1;
constexpr uint8_t kOpMask = 0x07;
constexpr uint8_t kAsJson = 0x08;
constexpr uint8_t kHasRow = 0x10;
constexpr uint8_t kHasOld = 0x20;

const char* OpName(uint8_t op) {
  switch (static_cast<EventOp>(op)) {
    case EventOp::kInsert:
      return "insert";
    case EventOp::kUpdate:
      return "update";
    case EventOp::kDelete:
      return "delete";
    case EventOp::kResync:
      return "resync";
  }
  return "unknown";
}

// A first-layout event's JSON part as the feed may send it: empty (sent as null) or JSON. The
// file is input: a blob that is not is refused rather than sent as broken JSON.
bool EmptyOrJson(std::string_view text) { return text.empty() || format::ParseJson(text).ok(); }

bool KnownOp(std::string_view op) {
  return op == "insert" || op == "update" || op == "delete" || op == "resync";
}

// A row's values as the table gives them back: SQLite stores a whole number in a REAL column
// as an integer and reads it as a real, and the pre-update hook sees the stored form, so such
// a value is encoded as the real the row page shows (1.0, not 1).
void PutValues(std::string& out, const std::vector<Value>& values, const std::vector<bool>& real) {
  PutVarint(out, values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const Value& v = values[i];
    if (v.type() == Value::Type::kInteger && i < real.size() && real[i]) {
      PutValue(out, Value::Real(static_cast<double>(v.integer())));
    } else {
      PutValue(out, v);
    }
  }
}

void WriteView(format::JsonWriter& json, const ValueView& v) {
  switch (v.tag) {
    case ValueTag::kInteger:
      json.Int(v.integer);
      return;
    case ValueTag::kReal:
      json.Double(v.real);
      return;
    case ValueTag::kText:
      json.String(v.bytes);
      return;
    case ValueTag::kBlob:
      json.Blob(v.bytes);
      return;
    default:
      json.Null();
  }
}

struct Table {
  std::string_view name;
  std::vector<std::string_view> columns;
};

// Values as a JSON object named by `table`'s columns (as RowJson made it), or skipped.
void ReadObject(ByteReader& in, const Table* table, std::string* out) {
  uint64_t n = in.Varint();
  std::optional<format::JsonWriter> json;
  if (out) {
    json.emplace(*out);
    json->BeginObject();
  }
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    ValueView v = in.ReadValue();
    if (!json) continue;
    if (table && i < table->columns.size()) {
      json->Key(table->columns[i]);
    } else {
      json->Key("column_" + std::to_string(i + 1));
    }
    WriteView(*json, v);
  }
  if (json) json->EndObject();
}

}  // namespace

size_t BatchEncoder::TableIndex(const std::string& table, const db::TableInfo* info) {
  if (last_table_ != 0 && table_names_[last_table_ - 1] == table) return last_table_;
  for (size_t i = 0; i < table_names_.size(); ++i) {
    if (table_names_[i] == table) return last_table_ = i + 1;
  }
  table_names_.push_back(table);
  PutBytes(tables_, table);
  size_t columns = info ? info->columns.size() : 0;
  PutVarint(tables_, columns);
  std::vector<bool>& real = table_reals_.emplace_back(columns);
  for (size_t i = 0; i < columns; ++i) {
    PutBytes(tables_, info->columns[i].name);
    real[i] = db::AffinityOf(info->columns[i].type) == "REAL";
  }
  return last_table_ = table_names_.size();
}

void BatchEncoder::AddRow(EventOp op, const std::string& table, const db::TableInfo* info,
                          const std::vector<Value>& key_values, int64_t rowid,
                          const std::vector<Value>* row, const std::vector<Value>* old) {
  size_t index = TableIndex(table, info);
  uint8_t flags = static_cast<uint8_t>(op);
  if (row) flags |= kHasRow;
  if (old) flags |= kHasOld;
  events_.push_back(static_cast<char>(flags));
  PutVarint(events_, index);
  events_.push_back(0);  // the time offset: the write's own time
  if (info && !info->primary_keys.empty()) {
    // As KeyJson: each declared key column's value, NULL when the row has no such value.
    PutVarint(events_, info->primary_keys.size());
    for (const std::string& key : info->primary_keys) {
      size_t i = 0;
      while (i < info->columns.size() && info->columns[i].name != key) ++i;
      PutValue(events_, i < key_values.size() ? key_values[i] : Value::Null());
    }
  } else {
    PutVarint(events_, 0);
    PutSigned(events_, rowid);
  }
  const std::vector<bool>& real = table_reals_[index - 1];
  if (row) PutValues(events_, *row, real);
  if (old) PutValues(events_, *old, real);
  ++count_;
}

void BatchEncoder::AddResync() {
  events_.push_back(static_cast<char>(EventOp::kResync));
  PutVarint(events_, 0);
  events_.push_back(0);
  PutVarint(events_, 0);
  PutSigned(events_, 0);
  ++count_;
}

void BatchEncoder::AddJson(int64_t time_ms, std::string_view table, std::string_view op,
                           std::string_view pk, std::string_view row, std::string_view old) {
  size_t index = table.empty() ? 0 : TableIndex(std::string(table), nullptr);
  uint8_t flags = kAsJson;
  if (!row.empty()) flags |= kHasRow;
  if (!old.empty()) flags |= kHasOld;
  events_.push_back(static_cast<char>(flags));
  PutVarint(events_, index);
  PutSigned(events_, time_ms - time_ms_);
  PutBytes(events_, op);
  PutBytes(events_, pk);
  if (!row.empty()) PutBytes(events_, row);
  if (!old.empty()) PutBytes(events_, old);
  ++count_;
}

std::string BatchEncoder::Finish() {
  std::string out;
  out.reserve(1 + 10 + tables_.size() + events_.size());
  out.push_back(static_cast<char>(kVersion));
  PutVarint(out, table_names_.size());
  out += tables_;
  out += events_;
  tables_.clear();
  table_names_.clear();
  table_reals_.clear();
  last_table_ = 0;
  events_.clear();
  count_ = 0;
  return out;
}

Status DecodeBatch(int64_t first_seq, int64_t time_ms, std::string_view blob, int64_t after,
                   const std::optional<std::string>& table, size_t limit,
                   std::vector<ChangeEvent>& out) {
  ByteReader in(blob);
  if (in.Byte() != kVersion) return Internal("change log batch of an unknown version");
  uint64_t table_count = in.Varint();
  std::vector<Table> tables;
  size_t wanted = 0;  // index + 1 of `table` (0: not in this batch)
  for (uint64_t t = 0; t < table_count && in.ok(); ++t) {
    Table entry;
    entry.name = in.Bytes();
    uint64_t columns = in.Varint();
    for (uint64_t c = 0; c < columns && in.ok(); ++c) entry.columns.push_back(in.Bytes());
    if (table && entry.name == *table) wanted = t + 1;
    tables.push_back(std::move(entry));
  }
  if (!in.ok()) return Internal("change log batch cut short");
  if (table && wanted == 0) return Status::Ok();
  for (int64_t seq = first_seq; !in.done() && out.size() < limit; ++seq) {
    uint8_t flags = in.Byte();
    uint64_t index = in.Varint();
    int64_t offset = in.Signed();
    if (!in.ok() || index > tables.size()) return Internal("change log batch cut short");
    // Events before the cursor or of other tables are read past without rendering.
    bool keep = seq > after && (!table || index == wanted);
    const Table* t = index > 0 ? &tables[index - 1] : nullptr;
    ChangeEvent event;
    if (flags & kAsJson) {
      std::string_view op = in.Bytes();
      std::string_view pk = in.Bytes();
      std::string_view row = flags & kHasRow ? in.Bytes() : std::string_view();
      std::string_view old = flags & kHasOld ? in.Bytes() : std::string_view();
      if (keep) {
        if (!KnownOp(op) || !EmptyOrJson(pk) || !EmptyOrJson(row) || !EmptyOrJson(old)) {
          return Internal("change log batch holds an event that is not JSON");
        }
        event.op = op;
        event.pk = pk;
        event.row = row;
        event.old = old;
      }
    } else {
      if ((flags & kOpMask) > static_cast<uint8_t>(EventOp::kResync)) {
        return Internal("change log batch holds an unknown operation");
      }
      if (keep) event.op = OpName(flags & kOpMask);
      uint64_t keys = in.Varint();
      if (keys == 0) {
        int64_t rowid = in.Signed();
        if (keep && (flags & kOpMask) != static_cast<uint8_t>(EventOp::kResync)) {
          format::JsonWriter json(event.pk);
          json.BeginArray();
          json.Int(rowid);
          json.EndArray();
        }
      } else {
        std::optional<format::JsonWriter> json;
        if (keep) {
          json.emplace(event.pk);
          json->BeginArray();
        }
        for (uint64_t k = 0; k < keys && in.ok(); ++k) {
          ValueView v = in.ReadValue();
          if (json) WriteView(*json, v);
        }
        if (json) json->EndArray();
      }
      if (flags & kHasRow) ReadObject(in, t, keep ? &event.row : nullptr);
      if (flags & kHasOld) ReadObject(in, t, keep ? &event.old : nullptr);
    }
    if (!in.ok()) return Internal("change log batch cut short");
    if (!keep) continue;
    event.seq = seq;
    event.time_ms = time_ms + offset;
    if (t) event.table = t->name;
    RenderJson(event);
    out.push_back(std::move(event));
  }
  return Status::Ok();
}

}  // namespace almanac::changes
