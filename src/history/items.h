// Items as git-history sees them: one JSON object per record of a file version, cleaned the
// way git-history cleans them, with the two hashes it stores (_item_id and _item_full_hash)
// and the cell values it writes (nested lists and objects become JSON text).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "format/json_value.h"
#include "history/python_json.h"

namespace almanac::history {

// git-history's reserved column names: a key matching ^(name)_*$ gets one more "_".
bool IsReservedColumn(std::string_view name);
// The name a key is stored under: NFC-normalised, with a trailing "_" added when it is
// reserved (matched ignoring ASCII case, as SQLite matches column names).
std::string ColumnNameFor(std::string_view key);

struct ItemRules {
  std::vector<std::string> ids;     // --id columns, as given
  std::vector<std::string> ignore;  // --ignore columns, NFC-normalised (NormalizeKey)
};

// Unicode NFC of a key (keys are compared and stored normalised).
std::string NormalizeKey(std::string_view key);

// An item after clean-up: --ignore keys removed, keys renamed by ColumnNameFor, each key once
// (json.loads keeps the last value of a repeated key; a key equal to an earlier one but for
// ASCII case — one SQLite column — is dropped and reported in `dropped`).
struct Item {
  format::JsonValue::Object fields;
  std::vector<std::string> dropped;
  const format::JsonValue* Find(std::string_view column) const;
};

// InvalidArgument when `value` is not an object (`value` is then left as it was).
Result<Item> CleanItem(format::JsonValue&& value, const ItemRules& rules);

// sha1 of json.dumps({id: item[id] ...}, sort_keys) — git-history's _item_id. InvalidArgument
// naming the first --id column the item lacks.
Result<HexDigest> ItemIdHash(const Item& item, const ItemRules& rules);
// sha1 of json.dumps(item, sort_keys) — git-history's _item_full_hash.
HexDigest ItemFullHash(const Item& item);

// The value written to a cell: lists and objects as JSON text (json.dumps with sort_keys and
// ensure_ascii=False), true/false as 1/0.
Value CellValue(const format::JsonValue& value);

// sqlite-utils' column type for one value: INTEGER, REAL or TEXT; "" for null, which gives way
// to the other values' types (a column of nulls only is TEXT).
std::string_view CellType(const format::JsonValue& value);

// Python's == between a cell value about to be written and the value read back from SQLite:
// numbers compare by value (5 == 5.0, True == 1), text by bytes, null only equals null.
bool SameCellValue(const Value& written, const Value& stored);

}  // namespace almanac::history
