#include "history/items.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <unordered_map>
#include <unordered_set>

#include <utf8proc.h>

#include "core/text.h"
#include "format/json_writer.h"
#include "history/python_json.h"

namespace almanac::history {
namespace {

using format::JsonValue;

constexpr std::array<std::string_view, 10> kReserved = {
    "_id",     "_item_full_hash", "_item",        "_item_id",         "_version",
    "_commit", "_commit_at",      "_commit_hash", "_changed_columns", "rowid"};

// Unicode NFC; ASCII (the usual case) and text with NUL bytes are returned as they are.
std::string Nfc(std::string_view key) {
  bool ascii = std::all_of(key.begin(), key.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii || key.find('\0') != std::string_view::npos) return std::string(key);
  std::string z(key);
  utf8proc_uint8_t* nfc = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(z.c_str()));
  if (nfc == nullptr) return z;  // not valid UTF-8: keep the bytes
  std::string out(reinterpret_cast<const char*>(nfc));
  std::free(nfc);
  return out;
}

}  // namespace

std::string NormalizeKey(std::string_view key) { return Nfc(key); }

bool IsReservedColumn(std::string_view name) {
  size_t end = name.find_last_not_of('_');
  if (end == std::string_view::npos) return false;
  std::string stem = AsciiLower(name.substr(0, end + 1));
  return std::find(kReserved.begin(), kReserved.end(), stem) != kReserved.end();
}

std::string ColumnNameFor(std::string_view key) {
  std::string name = Nfc(key);
  if (IsReservedColumn(name)) name += '_';
  return name;
}

const JsonValue* Item::Find(std::string_view column) const {
  for (const auto& [k, v] : fields) {
    if (k == column) return &v;
  }
  return nullptr;
}

Result<Item> CleanItem(JsonValue&& value, const ItemRules& rules) {
  if (!value.is_object()) return InvalidArgument("an item is not a JSON object");
  Item item;
  item.fields.reserve(value.as_object().size());
  std::unordered_map<std::string, size_t> by_folded;  // ASCII-lowered name -> field index
  for (auto& [key, member] : value.as_object()) {
    std::string normalized = Nfc(key);
    if (std::find(rules.ignore.begin(), rules.ignore.end(), normalized) != rules.ignore.end()) {
      continue;
    }
    std::string name = IsReservedColumn(normalized) ? normalized + '_' : std::move(normalized);
    auto [it, added] = by_folded.emplace(AsciiLower(name), item.fields.size());
    if (added) {
      item.fields.emplace_back(std::move(name), std::move(member));
    } else if (item.fields[it->second].first == name) {
      item.fields[it->second].second = std::move(member);  // a repeated key: the last wins
    } else {
      item.dropped.push_back(std::move(name));
    }
  }
  return item;
}

Result<HexDigest> ItemIdHash(const Item& item, const ItemRules& rules) {
  JsonValue::Object ids;
  for (const std::string& id : rules.ids) {
    std::string column = ColumnNameFor(id);
    const JsonValue* v = item.Find(column);
    if (v == nullptr) return InvalidArgument("an item has no \"" + id + "\" (an --id column)");
    ids.emplace_back(std::move(column), *v);
  }
  return Sha1(PyJson(JsonValue::MakeObject(std::move(ids)), PyJsonStyle::kHash));
}

HexDigest ItemFullHash(const Item& item) {
  std::string text;
  text += '{';
  // The fields are unique already; sort them as json.dumps(sort_keys=True) does.
  std::vector<const std::pair<std::string, JsonValue>*> sorted;
  sorted.reserve(item.fields.size());
  for (const auto& field : item.fields) sorted.push_back(&field);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) text += ',';
    format::AppendJsonString(sorted[i]->first, text);
    text += ':';
    AppendPyJson(sorted[i]->second, PyJsonStyle::kHash, text);
  }
  text += '}';
  return Sha1(text);
}

Value CellValue(const JsonValue& value) {
  switch (value.type()) {
    case JsonValue::Type::kNull:
      return Value::Null();
    case JsonValue::Type::kBool:
      return Value::Integer(value.as_bool() ? 1 : 0);
    case JsonValue::Type::kInt:
      return Value::Integer(value.as_int());
    case JsonValue::Type::kDouble:
      return Value::Real(value.as_double());
    case JsonValue::Type::kString:
      return Value::Text(value.as_string());
    case JsonValue::Type::kArray:
    case JsonValue::Type::kObject:
      return Value::Text(PyJson(value, PyJsonStyle::kCell));
  }
  return Value::Null();
}

std::string_view CellType(const JsonValue& value) {
  switch (value.type()) {
    case JsonValue::Type::kBool:
    case JsonValue::Type::kInt:
      return "INTEGER";
    case JsonValue::Type::kDouble:
      return "REAL";
    case JsonValue::Type::kNull:
      return "";
    default:
      return "TEXT";
  }
}

bool SameCellValue(const Value& written, const Value& stored) {
  auto is_number = [](const Value& v) {
    return v.type() == Value::Type::kInteger || v.type() == Value::Type::kReal;
  };
  if (is_number(written) && is_number(stored)) {
    if (written.type() == Value::Type::kInteger && stored.type() == Value::Type::kInteger) {
      return written.integer() == stored.integer();
    }
    if (written.type() == Value::Type::kReal && stored.type() == Value::Type::kReal) {
      return written.real() == stored.real();
    }
    // Python compares an int and a float exactly.
    int64_t i = written.type() == Value::Type::kInteger ? written.integer() : stored.integer();
    double d = written.type() == Value::Type::kReal ? written.real() : stored.real();
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || std::trunc(d) != d) {
      return false;
    }
    return static_cast<int64_t>(d) == i;
  }
  return written == stored;
}

}  // namespace almanac::history
