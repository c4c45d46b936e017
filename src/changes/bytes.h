// Compact byte encoding shared by the change log's batches (change_codec.h) and the backlinks'
// pending changes (links/link_pending.h): LEB128 varints, zigzag for signed integers,
// length-prefixed strings, and SQLite values with a one-byte tag. A ByteReader never reads past
// its input: a truncated or malformed encoding makes it fail (ok() false), never crash.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/value.h"

namespace almanac::changes {

// The tags of an encoded value.
enum class ValueTag : uint8_t { kNull = 0, kInteger = 1, kReal = 2, kText = 3, kBlob = 4 };

inline void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

inline void PutSigned(std::string& out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

inline void PutBytes(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

inline void PutDouble(std::string& out, double d) {
  uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

inline void PutValue(std::string& out, const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      out.push_back(static_cast<char>(ValueTag::kNull));
      return;
    case Value::Type::kInteger:
      out.push_back(static_cast<char>(ValueTag::kInteger));
      PutSigned(out, v.integer());
      return;
    case Value::Type::kReal:
      out.push_back(static_cast<char>(ValueTag::kReal));
      PutDouble(out, v.real());
      return;
    case Value::Type::kText:
      out.push_back(static_cast<char>(ValueTag::kText));
      PutBytes(out, v.text());
      return;
    case Value::Type::kBlob:
      out.push_back(static_cast<char>(ValueTag::kBlob));
      PutBytes(out, v.blob());
      return;
  }
}

// A value as read: text and blob bytes point into the reader's input.
struct ValueView {
  ValueTag tag = ValueTag::kNull;
  int64_t integer = 0;
  double real = 0;
  std::string_view bytes;  // text or blob
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ >= in_.size(); }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return Fail();
      auto byte = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return Fail();
  }
  int64_t Signed() {
    uint64_t z = Varint();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  uint8_t Byte() {
    if (pos_ >= in_.size()) return static_cast<uint8_t>(Fail());
    return static_cast<uint8_t>(in_[pos_++]);
  }
  std::string_view Bytes() {
    uint64_t n = Varint();
    if (!ok_ || n > in_.size() - pos_) {
      Fail();
      return {};
    }
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  double Double() {
    if (in_.size() - pos_ < 8) {
      Fail();
      return 0;
    }
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) {
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    }
    pos_ += 8;
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  ValueView ReadValue() {
    ValueView v;
    v.tag = static_cast<ValueTag>(Byte());
    switch (v.tag) {
      case ValueTag::kNull:
        break;
      case ValueTag::kInteger:
        v.integer = Signed();
        break;
      case ValueTag::kReal:
        v.real = Double();
        break;
      case ValueTag::kText:
      case ValueTag::kBlob:
        v.bytes = Bytes();
        break;
      default:
        Fail();
    }
    return v;
  }

 private:
  uint64_t Fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

inline Value ToValue(const ValueView& v) {
  switch (v.tag) {
    case ValueTag::kInteger:
      return Value::Integer(v.integer);
    case ValueTag::kReal:
      return Value::Real(v.real);
    case ValueTag::kText:
      return Value::Text(std::string(v.bytes));
    case ValueTag::kBlob:
      return Value::BlobOf(std::string(v.bytes));
    default:
      return Value::Null();
  }
}

}  // namespace almanac::changes
