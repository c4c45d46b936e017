// The change log's batch encoding: every value type survives the round trip and is rendered as
// JSON byte for byte as the first layout stored it (the row object and key array written by
// format::JsonWriter from the Values); cursors, table filters and limits inside a batch; events
// kept as JSON text; a damaged blob is an error, never a crash.
#include "changes/change_codec.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "changes/bytes.h"
#include "format/json_writer.h"

namespace almanac::changes {
namespace {

db::TableInfo Table(std::string name, std::vector<std::string> columns,
                    std::vector<std::string> keys = {}) {
  db::TableInfo info;
  info.name = std::move(name);
  for (std::string& column : columns) {
    db::ColumnInfo c;
    c.name = std::move(column);
    info.columns.push_back(std::move(c));
  }
  info.primary_keys = std::move(keys);
  return info;
}

// The row object as the first layout wrote it.
std::string RowJson(const db::TableInfo* info, const std::vector<Value>& values) {
  std::string out;
  format::JsonWriter json(out);
  json.BeginObject();
  for (size_t i = 0; i < values.size(); ++i) {
    json.Key(info && i < info->columns.size() ? info->columns[i].name
                                              : "column_" + std::to_string(i + 1));
    json.WriteValue(values[i]);
  }
  json.EndObject();
  return out;
}

std::vector<ChangeEvent> Decode(const std::string& blob, int64_t first_seq, int64_t time_ms,
                                int64_t after = 0,
                                const std::optional<std::string>& table = std::nullopt,
                                size_t limit = 1000) {
  std::vector<ChangeEvent> out;
  Status status = DecodeBatch(first_seq, time_ms, blob, after, table, limit, out);
  EXPECT_TRUE(status.ok()) << status.message();
  return out;
}

std::vector<Value> Awkward() {
  return {Value::Null(),
          Value::Integer(std::numeric_limits<int64_t>::min()),
          Value::Integer(std::numeric_limits<int64_t>::max()),
          Value::Integer(-1),
          Value::Real(0.1),
          Value::Real(-0.0),
          Value::Real(1e300),
          Value::Real(std::nan("")),
          Value::Text(std::string("nul\0inside", 10)),
          Value::Text("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 \"quoted\" \\ \n"),
          Value::Text("\xff\xfe not UTF-8"),
          Value::Text(""),
          Value::BlobOf(std::string("\0\1\2\xff", 4)),
          Value::BlobOf("")};
}

TEST(ChangeCodecTest, EveryValueRoundTripsToTheSameJson) {
  std::vector<Value> values = Awkward();
  std::vector<std::string> names;
  for (size_t i = 0; i < values.size(); ++i) names.push_back("c" + std::to_string(i));
  names[9] = "n\xc3\xa4me \"with\" quotes";
  db::TableInfo info = Table("t\xc3\xa9", names);
  BatchEncoder batch(1700000000123);
  batch.AddRow(EventOp::kInsert, info.name, &info, values, 42, &values, nullptr);
  batch.AddRow(EventOp::kUpdate, info.name, &info, values, 42, &values, &values);
  batch.AddRow(EventOp::kDelete, info.name, &info, values, 42, nullptr, &values);
  batch.AddRow(EventOp::kDelete, info.name, &info, values, 42, nullptr, nullptr);
  EXPECT_EQ(batch.count(), 4);
  std::vector<ChangeEvent> events = Decode(batch.Finish(), 7, 1700000000123);
  ASSERT_EQ(events.size(), 4u);
  std::string row = RowJson(&info, values);
  EXPECT_EQ(events[0].seq, 7);
  EXPECT_EQ(events[0].time_ms, 1700000000123);
  EXPECT_EQ(events[0].table, info.name);
  EXPECT_EQ(events[0].op, "insert");
  EXPECT_EQ(events[0].pk, "[42]");
  EXPECT_EQ(events[0].row, row);
  EXPECT_EQ(events[0].old, "");
  EXPECT_EQ(events[1].op, "update");
  EXPECT_EQ(events[1].old, row);
  EXPECT_EQ(events[2].op, "delete");
  EXPECT_EQ(events[2].row, "");
  EXPECT_EQ(events[2].old, row);
  EXPECT_EQ(events[3].seq, 10);
  EXPECT_EQ(events[3].old, "");
  // The whole event as the first layout rendered it from the same parts.
  ChangeEvent expected;
  expected.seq = 7;
  expected.time_ms = 1700000000123;
  expected.table = info.name;
  expected.op = "insert";
  expected.pk = "[42]";
  expected.row = row;
  RenderJson(expected);
  EXPECT_EQ(events[0].json, expected.json);
}

TEST(ChangeCodecTest, CompoundKeysAndKeysOfEveryType) {
  db::TableInfo info = Table("w", {"a", "b", "v"}, {"b", "a"});
  for (const Value& key : Awkward()) {
    std::vector<Value> values{key, Value::Integer(1), Value::Text("one")};
    BatchEncoder batch(5);
    batch.AddRow(EventOp::kInsert, "w", &info, values, 0, &values, nullptr);
    std::vector<ChangeEvent> events = Decode(batch.Finish(), 1, 5);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].pk, KeyJson(&info, values, 0));
    EXPECT_EQ(events[0].row, RowJson(&info, values));
  }
}

TEST(ChangeCodecTest, AGoneTableNamesItsColumnsByPosition) {
  std::vector<Value> values{Value::Integer(1), Value::Text("x")};
  BatchEncoder batch(5);
  batch.AddRow(EventOp::kInsert, "gone", nullptr, values, 9, &values, nullptr);
  std::vector<ChangeEvent> events = Decode(batch.Finish(), 1, 5);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].pk, KeyJson(nullptr, values, 9));
  EXPECT_EQ(events[0].row, RowJson(nullptr, values));
  EXPECT_EQ(events[0].row, R"({"column_1": 1, "column_2": "x"})");
}

TEST(ChangeCodecTest, CursorTableAndLimitInsideABatch) {
  db::TableInfo a = Table("a", {"id"}, {"id"});
  db::TableInfo b = Table("b", {"id"}, {"id"});
  BatchEncoder batch(5);
  for (int i = 1; i <= 6; ++i) {
    std::vector<Value> values{Value::Integer(i)};
    const db::TableInfo& t = i % 2 ? a : b;
    batch.AddRow(EventOp::kInsert, t.name, &t, values, 0, &values, nullptr);
  }
  batch.AddResync();
  std::string blob = batch.Finish();
  auto seqs = [](const std::vector<ChangeEvent>& events) {
    std::vector<int64_t> out;
    for (const ChangeEvent& e : events) out.push_back(e.seq);
    return out;
  };
  EXPECT_EQ(seqs(Decode(blob, 100, 5, 102)), (std::vector<int64_t>{103, 104, 105, 106}));
  EXPECT_EQ(seqs(Decode(blob, 100, 5, 0, "b")), (std::vector<int64_t>{101, 103, 105}));
  EXPECT_EQ(seqs(Decode(blob, 100, 5, 101, "b", 1)), (std::vector<int64_t>{103}));
  EXPECT_TRUE(Decode(blob, 100, 5, 0, "c").empty());
  std::vector<ChangeEvent> all = Decode(blob, 100, 5);
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all[6].op, "resync");
  EXPECT_EQ(all[6].table, "");
  EXPECT_EQ(
      all[6].json,
      R"({"seq": 106, "time_ms": 5, "table": null, "op": "resync", "pk": null, "row": null})");
}

// A whole number in a REAL column is stored as an integer and read back as a real: the event
// shows what the row page shows.
TEST(ChangeCodecTest, WholeNumbersOfRealColumnsAreReals) {
  db::TableInfo info = Table("t", {"id", "score", "n"}, {"id"});
  info.columns[1].type = "double precision";
  info.columns[2].type = "numeric";
  std::vector<Value> row{Value::Integer(1), Value::Integer(2), Value::Integer(3)};
  BatchEncoder batch(1);
  batch.AddRow(EventOp::kUpdate, "t", &info, row, 0, &row, &row);
  std::vector<ChangeEvent> events = Decode(batch.Finish(), 1, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].pk, "[1]");
  EXPECT_EQ(events[0].row, R"({"id": 1, "score": 2.0, "n": 3})");
  EXPECT_EQ(events[0].old, R"({"id": 1, "score": 2.0, "n": 3})");
}

TEST(ChangeCodecTest, EventsKeptAsJsonText) {
  BatchEncoder batch(2000);
  batch.AddJson(1990, "t", "insert", "[1]", R"({"id": 1, "v": 1.5})", "");
  batch.AddJson(2000, "", "resync", "", "", "");
  batch.AddJson(1995, "t", "update", "[1]", R"({"id": 1})", R"({"id": 1, "v": 1.5})");
  std::vector<ChangeEvent> events = Decode(batch.Finish(), 1, 2000);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].time_ms, 1990);
  EXPECT_EQ(events[0].row, R"({"id": 1, "v": 1.5})");
  EXPECT_EQ(events[1].table, "");
  EXPECT_EQ(events[1].op, "resync");
  EXPECT_EQ(events[1].pk, "");
  EXPECT_EQ(events[2].time_ms, 1995);
  EXPECT_EQ(events[2].old, R"({"id": 1, "v": 1.5})");
}

// A served file is input: an event kept as JSON text that is not JSON, or an operation this
// code does not know, is an error rather than a broken line of the feed.
TEST(ChangeCodecTest, AnEventThatIsNotJsonIsAnError) {
  for (auto [op, pk, row] :
       {std::tuple{"insert", "1], \"x\": [1", "{}"}, std::tuple{"insert", "[1]", "{\"id\": "},
        std::tuple{"\u0001", "[1]", "{}"}}) {
    BatchEncoder batch(1);
    batch.AddJson(1, "t", op, pk, row, "");
    std::vector<ChangeEvent> out;
    EXPECT_FALSE(DecodeBatch(1, 1, batch.Finish(), 0, std::nullopt, 10, out).ok()) << op << pk;
  }
  db::TableInfo info = Table("t", {"id"}, {"id"});
  std::vector<Value> values{Value::Integer(1)};
  BatchEncoder batch(1);
  batch.AddRow(EventOp::kInsert, "t", &info, values, 0, &values, nullptr);
  std::string blob = batch.Finish();
  const size_t header = 1 + 1 + 2 + 1 + 3;  // version, 1 table, "t", 1 column, "id"
  blob[header] = static_cast<char>((blob[header] & ~0x07) | 0x05);  // operation 5
  std::vector<ChangeEvent> out;
  EXPECT_FALSE(DecodeBatch(1, 1, blob, 0, std::nullopt, 10, out).ok());
}

TEST(ChangeCodecTest, ADamagedBlobIsAnErrorNotACrash) {
  db::TableInfo info = Table("t", {"id", "v"}, {"id"});
  std::vector<Value> values{Value::Integer(1), Value::Text("some text")};
  BatchEncoder batch(5);
  batch.AddRow(EventOp::kInsert, "t", &info, values, 0, &values, nullptr);
  std::string blob = batch.Finish();
  // Cut inside the header or the event: an error. (Cut between the two, no event is read.)
  const size_t header = 1 + 1 + 2 + 1 + 3 + 2;  // version, 1 table, "t", 2 columns, "id", "v"
  for (size_t cut = 0; cut < blob.size(); ++cut) {
    std::vector<ChangeEvent> out;
    Status status =
        DecodeBatch(1, 5, std::string_view(blob).substr(0, cut), 0, std::nullopt, 10, out);
    EXPECT_TRUE(out.empty()) << cut;
    if (cut != header) {
      EXPECT_FALSE(status.ok()) << cut;
    }
  }
  std::string other = blob;
  other[0] = 9;  // a version this code does not know
  std::vector<ChangeEvent> out;
  EXPECT_FALSE(DecodeBatch(1, 5, other, 0, std::nullopt, 10, out).ok());
}

TEST(BytesTest, VarintsAndValues) {
  std::string out;
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{-64}, int64_t{1} << 40,
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    out.clear();
    PutSigned(out, v);
    ByteReader in(out);
    EXPECT_EQ(in.Signed(), v);
    EXPECT_TRUE(in.ok());
    EXPECT_TRUE(in.done());
  }
  out.clear();
  for (const Value& v : Awkward()) PutValue(out, v);
  ByteReader in(out);
  for (const Value& v : Awkward()) {
    Value back = ToValue(in.ReadValue());
    ASSERT_EQ(back.type(), v.type());
    if (v.type() == Value::Type::kReal && std::isnan(v.real())) {
      EXPECT_TRUE(std::isnan(back.real()));
    } else if (v.type() == Value::Type::kReal) {
      EXPECT_EQ(std::signbit(back.real()), std::signbit(v.real()));
      EXPECT_EQ(back.real(), v.real());
    } else {
      EXPECT_TRUE(back == v);
    }
  }
  EXPECT_TRUE(in.ok());
  EXPECT_TRUE(in.done());
}

}  // namespace
}  // namespace almanac::changes
