// JsonWriter: streams JSON text into a std::string exactly as Python's json.dumps writes it
// (", " and ": " separators, ASCII-only output with \uXXXX escapes and surrogate pairs).
// Datasette's value rules (blobs, floats, infinities, bad UTF-8) live in WriteValue().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"

namespace almanac::format {

struct JsonStyle {
  bool compact = false;              // "," and ":" separators (tokens, compact bodies)
  bool ensure_ascii = true;          // escape non-ASCII as \uXXXX
  bool infinity_as_literal = false;  // _json_infinity=on: bare Infinity / -Infinity
};

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out, JsonStyle style = {}) : out_(out), style_(style) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // The key of the next member of the current object.
  void Key(std::string_view key);
  // The same with a key already quoted by AppendJsonString (hot loops quote column names once).
  void QuotedKey(std::string_view quoted);

  void String(std::string_view s);
  void Int(int64_t v);
  void Double(double v);
  void Bool(bool v);
  void Null();
  // Already-encoded JSON, written as one value.
  void Raw(std::string_view json);
  // An SQLite value: text as a string, blob as {"$base64": true, "encoded": ...},
  // infinities as null (or bare Infinity when the style asks).
  void WriteValue(const Value& v);
  // A BLOB's bytes as WriteValue writes them: {"$base64": true, "encoded": ...}.
  void Blob(std::string_view bytes);

  // Convenience members: Key(k) followed by the value.
  void Member(std::string_view k, std::string_view v) { Key(k), String(v); }
  void Member(std::string_view k, const char* v) { Key(k), String(v); }
  void Member(std::string_view k, int64_t v) { Key(k), Int(v); }
  void Member(std::string_view k, int v) { Key(k), Int(v); }
  void MemberBool(std::string_view k, bool v) { Key(k), Bool(v); }
  void MemberNull(std::string_view k) { Key(k), Null(); }

  std::string& out() { return out_; }

 private:
  void BeforeValue();

  std::string& out_;
  JsonStyle style_;
  // One entry per open container: true until its first element is written.
  std::vector<bool> first_;
  bool after_key_ = false;
};

// Appends `s` as a quoted JSON string (Python json.dumps rules) to `out`.
void AppendJsonString(std::string_view s, std::string& out, bool ensure_ascii = true);

// json.dumps(s) for one string.
std::string JsonQuote(std::string_view s);

}  // namespace almanac::format
