#include "format/json_writer.h"

#include <charconv>
#include <cmath>

#include "core/float_repr.h"
#include "core/utf8.h"
#include "format/base64.h"

namespace almanac::format {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendUnicodeEscape(uint32_t unit, std::string& out) {
  out += "\\u";
  out += kHex[(unit >> 12) & 15];
  out += kHex[(unit >> 8) & 15];
  out += kHex[(unit >> 4) & 15];
  out += kHex[unit & 15];
}

// Non-ASCII bytes always take the slow path: they are validated even when kept as UTF-8.
// DEL (0x7f) is escaped only with ensure_ascii, as Python's json module does.
bool NeedsEscape(unsigned char c, bool ensure_ascii) {
  return c < 0x20 || c == '"' || c == '\\' || c >= 0x80 || (c == 0x7f && ensure_ascii);
}

}  // namespace

void AppendJsonString(std::string_view s, std::string& out, bool ensure_ascii) {
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  size_t run_start = 0;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!NeedsEscape(c, ensure_ascii)) {
      ++i;
      continue;
    }
    out.append(s.data() + run_start, i - run_start);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          AppendUnicodeEscape(c, out);
      }
      ++i;
    } else {
      Utf8Char ch = DecodeUtf8(s, i);
      if (!ch.valid) {
        // Invalid UTF-8 decodes to U+FFFD, as Python's errors="replace" does.
        out += ensure_ascii ? "\\ufffd" : "\xEF\xBF\xBD";
      } else if (!ensure_ascii) {
        out.append(s.data() + i, ch.length);
      } else if (ch.code_point >= 0x10000) {
        uint32_t v = ch.code_point - 0x10000;
        AppendUnicodeEscape(0xD800 + (v >> 10), out);
        AppendUnicodeEscape(0xDC00 + (v & 0x3FF), out);
      } else {
        AppendUnicodeEscape(ch.code_point, out);
      }
      i += ch.length;
    }
    run_start = i;
  }
  out.append(s.data() + run_start, s.size() - run_start);
  out += '"';
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  AppendJsonString(s, out);
  return out;
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += style_.compact ? "," : ", ";
    first_.back() = false;
  }
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_ += '{';
  first_.push_back(true);
}

void JsonWriter::EndObject() {
  first_.pop_back();
  out_ += '}';
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_ += '[';
  first_.push_back(true);
}

void JsonWriter::EndArray() {
  first_.pop_back();
  out_ += ']';
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(key, out_, style_.ensure_ascii);
  out_ += style_.compact ? ":" : ": ";
  after_key_ = true;
}

void JsonWriter::QuotedKey(std::string_view quoted) {
  BeforeValue();
  out_ += quoted;
  out_ += style_.compact ? ":" : ": ";
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(s, out_, style_.ensure_ascii);
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
  out_.append(digits, static_cast<size_t>(end - digits));
}

void JsonWriter::Double(double v) {
  BeforeValue();
  if (std::isinf(v)) {
    if (style_.infinity_as_literal) {
      out_ += v < 0 ? "-Infinity" : "Infinity";
    } else {
      out_ += "null";
    }
    return;
  }
  if (std::isnan(v)) {
    out_ += style_.infinity_as_literal ? "NaN" : "null";
    return;
  }
  AppendPythonFloat(v, out_);
}

void JsonWriter::Bool(bool v) {
  BeforeValue();
  out_ += v ? "true" : "false";
}

void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_ += json;
}

void JsonWriter::WriteValue(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      Null();
      return;
    case Value::Type::kInteger:
      Int(v.integer());
      return;
    case Value::Type::kReal:
      Double(v.real());
      return;
    case Value::Type::kText:
      String(v.text());
      return;
    case Value::Type::kBlob:
      Blob(v.blob());
      return;
  }
}

void JsonWriter::Blob(std::string_view bytes) {
  BeginObject();
  MemberBool("$base64", true);
  Member("encoded", Base64Encode(bytes));
  EndObject();
}

}  // namespace almanac::format
