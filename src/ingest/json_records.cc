#include "ingest/json_records.h"

#include <deque>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "format/base64.h"

namespace almanac::ingest {
namespace {

using format::JsonValue;

const JsonValue* Base64Bytes(const JsonValue& value) {
  if (!value.is_object()) return nullptr;
  const JsonValue* flag = value.Find("$base64");
  const JsonValue* encoded = value.Find("encoded");
  if (!flag || !flag->is_bool() || !flag->as_bool() || !encoded || !encoded->is_string()) {
    return nullptr;
  }
  return encoded;
}

class JsonRecords : public RecordSource {
 public:
  JsonRecords(std::unique_ptr<ByteSource> bytes, JsonReader::Layout layout, bool flatten,
              InputFormat format)
      : bytes_(std::move(bytes)), reader_(*bytes_, layout), flatten_(flatten) {
    format_ = format;
  }

  Status Prefetch(size_t records) override {
    while (queue_.size() < records) {
      ALM_ASSIGN_OR_RETURN(bool more, reader_.Next());
      if (!more) break;
      queue_.emplace_back(reader_.record(), reader_.line());
      ObserveMembers(queue_.back().first, "");
    }
    return Status::Ok();
  }

  Result<bool> Next(Record& record) override {
    const JsonValue* object;
    bool observe = false;  // queued records were observed by Prefetch
    if (!queue_.empty()) {
      current_ = std::move(queue_.front());
      queue_.pop_front();
      object = &current_.first;
    } else {
      ALM_ASSIGN_OR_RETURN(bool more, reader_.Next());
      if (!more) return false;
      current_ = {JsonValue(), reader_.line()};
      object = &reader_.record();
      observe = true;
    }
    record.columns.clear();
    record.cells.clear();
    record.line = current_.second;
    scratch_used_ = 0;
    member_ = 0;
    ++serial_;
    ALM_RETURN_IF_ERROR(AddMembers(*object, "", record, observe));
    return true;
  }

  ColumnType SuggestedType(size_t column) const override {
    return column < types_.size() ? types_[column].type() : ColumnType::kText;
  }

  Status Rewind() override {
    queue_.clear();
    return reader_.Rewind();
  }
  uint64_t position() const override { return reader_.position(); }
  std::optional<uint64_t> size() const override { return reader_.size(); }

 private:
  // Registers the record's columns and the types of its values.
  void ObserveMembers(const JsonValue& object, const std::string& prefix) {
    for (const auto& [key, value] : object.as_object()) {
      std::string name = prefix + key;
      if (flatten_ && value.is_object() && !Base64Bytes(value)) {
        ObserveMembers(value, name + "_");
        continue;
      }
      uint32_t column = ColumnIndex(name);
      if (Base64Bytes(value)) {
        types_[column].ObserveBlob();
      } else {
        types_[column].Observe(value);
      }
    }
  }

  uint32_t ColumnIndex(const std::string& name) {
    auto [it, added] = index_.try_emplace(name, static_cast<uint32_t>(columns_.size()));
    if (added) {
      columns_.push_back(name);
      types_.emplace_back();
      seen_in_.push_back(0);
      slot_of_.push_back(0);
    }
    return it->second;
  }

  std::string& Scratch() {
    if (scratch_used_ == scratch_.size()) scratch_.emplace_back();
    return scratch_[scratch_used_++];
  }

  // The column of the record's next member: records usually repeat the previous record's keys
  // in the same order, which is checked before the hash table.
  uint32_t MemberColumn(const std::string& prefix, const std::string& key) {
    size_t k = member_++;
    if (k < recent_.size() && prefix.empty() && recent_[k].first == key) return recent_[k].second;
    uint32_t column = prefix.empty() ? ColumnIndex(key) : ColumnIndex(prefix + key);
    if (k >= recent_.size()) recent_.resize(k + 1);
    recent_[k] = {prefix + key, column};
    return column;
  }

  Status AddMembers(const JsonValue& object, const std::string& prefix, Record& record,
                    bool observe) {
    for (const auto& [key, value] : object.as_object()) {
      bool blob = value.is_object() && Base64Bytes(value);
      if (flatten_ && value.is_object() && !blob) {
        ALM_RETURN_IF_ERROR(AddMembers(value, prefix + key + "_", record, observe));
        continue;
      }
      uint32_t column = MemberColumn(prefix, key);
      if (observe && blob) types_[column].ObserveBlob();
      if (observe && !blob) types_[column].Observe(value);
      ALM_ASSIGN_OR_RETURN(Cell cell, ToCell(value, record.line));
      // A repeated key: the last value wins, as in Python's json.loads.
      if (seen_in_[column] == serial_) {
        record.cells[slot_of_[column]] = cell;
      } else {
        seen_in_[column] = serial_;
        slot_of_[column] = static_cast<uint32_t>(record.cells.size());
        record.columns.push_back(column);
        record.cells.push_back(cell);
      }
    }
    return Status::Ok();
  }

  Result<Cell> ToCell(const JsonValue& value, uint64_t line) {
    using T = JsonValue::Type;
    switch (value.type()) {
      case T::kNull:
        return Cell::Null();
      case T::kBool:
        return Cell::Integer(value.as_bool() ? 1 : 0);
      case T::kInt:
        return Cell::Integer(value.as_int());
      case T::kDouble:
        return Cell::Real(value.as_double());
      case T::kString:
        return Cell::Text(value.as_string());
      case T::kArray:
      case T::kObject:
        break;
    }
    if (const JsonValue* encoded = Base64Bytes(value)) {
      std::optional<std::string> bytes = format::Base64Decode(encoded->as_string());
      if (!bytes) {
        return InvalidArgument("Line " + std::to_string(line) + ": invalid base64 in a value");
      }
      std::string& slot = Scratch();
      slot = std::move(*bytes);
      return Cell::Blob(slot);
    }
    std::string& slot = Scratch();
    slot = format::ToJsonText(value);
    return Cell::Text(slot);
  }

  std::unique_ptr<ByteSource> bytes_;
  JsonReader reader_;
  bool flatten_;
  std::deque<std::pair<JsonValue, uint64_t>> queue_;
  std::pair<JsonValue, uint64_t> current_;
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<JsonTypes> types_;
  std::vector<uint64_t> seen_in_;  // per column: the serial of the last record that had it
  std::vector<uint32_t> slot_of_;  // ... and its place in that record
  uint64_t serial_ = 0;
  size_t member_ = 0;                                     // members of the record so far
  std::vector<std::pair<std::string, uint32_t>> recent_;  // the last record's keys, in order
  std::deque<std::string> scratch_;  // a deque: growing it never moves the strings cells view
  size_t scratch_used_ = 0;
};

}  // namespace

std::unique_ptr<RecordSource> MakeJsonRecords(std::unique_ptr<ByteSource> bytes,
                                              JsonReader::Layout layout, bool flatten,
                                              InputFormat format) {
  return std::make_unique<JsonRecords>(std::move(bytes), layout, flatten, format);
}

}  // namespace almanac::ingest
