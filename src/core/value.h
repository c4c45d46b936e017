// Value: one SQLite value (NULL, INTEGER, REAL, TEXT or BLOB), as read from or bound to SQL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace almanac {

// Bytes of a BLOB; a distinct type so a blob never passes for text.
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

class Value {
 public:
  enum class Type { kNull, kInteger, kReal, kText, kBlob };

  Value() = default;
  static Value Null() { return Value(); }
  static Value Integer(int64_t v) { return Value(Storage(std::in_place_index<1>, v)); }
  static Value Real(double v) { return Value(Storage(std::in_place_index<2>, v)); }
  static Value Text(std::string v) { return Value(Storage(std::in_place_index<3>, std::move(v))); }
  static Value BlobOf(std::string bytes) {
    return Value(Storage(std::in_place_index<4>, Blob{std::move(bytes)}));
  }

  Type type() const { return static_cast<Type>(storage_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  int64_t integer() const { return std::get<1>(storage_); }
  double real() const { return std::get<2>(storage_); }
  const std::string& text() const { return std::get<3>(storage_); }
  const std::string& blob() const { return std::get<4>(storage_).bytes; }

  // Replace the value in place, reusing its buffer when it holds text (or a blob) already:
  // for code that refills the same values row after row without allocating.
  void AssignNull() { storage_.emplace<0>(); }
  void AssignInteger(int64_t v) { storage_.emplace<1>(v); }
  void AssignReal(double v) { storage_.emplace<2>(v); }
  void AssignText(std::string_view v) {
    if (auto* text = std::get_if<3>(&storage_)) {
      text->assign(v);
    } else {
      storage_.emplace<3>(v);
    }
  }
  void AssignBlob(std::string_view v) {
    if (auto* blob = std::get_if<4>(&storage_)) {
      blob->bytes.assign(v);
    } else {
      storage_.emplace<4>(Blob{std::string(v)});
    }
  }

  // The value as Python's str() would print it (used for pk paths and CSV).
  std::string ToDisplayString() const;

  bool operator==(const Value&) const = default;

 private:
  using Storage = std::variant<std::monostate, int64_t, double, std::string, Blob>;
  explicit Value(Storage s) : storage_(std::move(s)) {}
  Storage storage_;
};

}  // namespace almanac
