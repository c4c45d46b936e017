#include "format/text_table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/float_repr.h"
#include "core/text.h"

namespace almanac::format {
namespace {

// tabulate's column types, from least to most generic.
enum Kind { kNone = 0, kBool = 1, kInt = 2, kFloat = 3, kText = 5 };

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Python's int(s) / float(s) on text (underscores between digits are not handled).
bool PyInt(std::string_view s) {
  s = Trim(s);
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool PyFloat(std::string_view s, double* out) {
  s = Trim(s);
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  std::string lower = AsciiLower(s);
  if (lower == "inf" || lower == "infinity" || lower == "nan") {
    *out = lower == "nan" ? std::nan("") : negative ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (negative) *out = -*out;
  return ec == std::errc() && ptr == s.data() + s.size();
}

Kind KindOf(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      return kNone;
    case Value::Type::kInteger:
      return kInt;
    case Value::Type::kReal:
      return kFloat;
    case Value::Type::kBlob:
      return kText;
    case Value::Type::kText:
      break;
  }
  double d;
  if (v.text() == "True" || v.text() == "False") return kBool;
  if (PyInt(v.text())) return kInt;
  if (PyFloat(v.text(), &d)) return kFloat;
  return kText;
}

std::string G(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", d);
  return buffer;
}

std::string Format(const Value& v, Kind column) {
  if (v.is_null()) return "";
  if (column == kFloat) {
    double d = 0;
    if (v.type() == Value::Type::kReal) return G(v.real());
    if (v.type() == Value::Type::kInteger) return G(static_cast<double>(v.integer()));
    PyFloat(v.text(), &d);
    return G(d);
  }
  switch (v.type()) {
    case Value::Type::kInteger:
      return std::to_string(v.integer());
    case Value::Type::kReal:
      return PythonFloat(v.real());
    case Value::Type::kText:
      return v.text();
    case Value::Type::kBlob:
      return v.blob();
    case Value::Type::kNull:
      break;
  }
  return "";
}

// Display width: code points (continuation bytes do not count).
size_t Width(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Digits after the decimal point (or exponent mark), -1 for integers: tabulate's _afterpoint.
int AfterPoint(const std::string& s) {
  double d;
  if (PyInt(s) || !PyFloat(s, &d)) return -1;
  size_t pos = s.rfind('.');
  if (pos == std::string::npos) pos = AsciiLower(s).rfind('e');
  return pos == std::string::npos ? -1 : static_cast<int>(s.size() - pos - 1);
}

std::string Pad(const std::string& s, size_t width, bool left_align) {
  size_t w = Width(s);
  if (w >= width) return s;
  return left_align ? s + std::string(width - w, ' ') : std::string(width - w, ' ') + s;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t nl = s.find('\n', start);
    out.push_back(s.substr(start, nl == std::string::npos ? nl : nl - start));
    if (nl == std::string::npos) return out;
    start = nl + 1;
  }
}

std::string RStrip(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

std::optional<TableStyle> TableStyleByName(std::string_view name) {
  if (name == "simple") return TableStyle::kSimple;
  if (name == "plain") return TableStyle::kPlain;
  if (name == "github") return TableStyle::kGithub;
  return std::nullopt;
}

namespace {

struct Columns {
  std::vector<std::vector<std::string>> cells;  // formatted, decimal-padded
  std::vector<size_t> widths;
  std::vector<bool> left;  // left-aligned (text), else right (numbers)
};

// Formats every cell by its column's tabulate type and measures the columns.
Columns FormatColumns(const std::vector<std::string>& headers,
                      const std::vector<std::vector<Value>>& rows, size_t ncols, bool multiline) {
  Columns out{std::vector<std::vector<std::string>>(rows.size(), std::vector<std::string>(ncols)),
              std::vector<size_t>(ncols, 0), std::vector<bool>(ncols, true)};
  for (size_t c = 0; c < ncols; ++c) {
    Kind kind = kBool;
    for (const auto& row : rows) kind = std::max(kind, KindOf(row[c]));
    out.left[c] = kind != kInt && kind != kFloat;
    int max_after = -1;
    for (size_t r = 0; r < rows.size(); ++r) {
      out.cells[r][c] = Format(rows[r][c], kind);
      if (kind == kFloat) max_after = std::max(max_after, AfterPoint(out.cells[r][c]));
    }
    size_t width = headers.empty() ? 0 : Width(headers[c]) + 2;
    for (size_t r = 0; r < rows.size(); ++r) {
      std::string& s = out.cells[r][c];
      if (kind == kFloat) s += std::string(static_cast<size_t>(max_after - AfterPoint(s)), ' ');
      for (const std::string& line : multiline ? Lines(s) : std::vector<std::string>{s}) {
        width = std::max(width, Width(line));
      }
    }
    out.widths[c] = width;
  }
  return out;
}

}  // namespace

std::string RenderTextTable(const std::vector<std::string>& headers,
                            const std::vector<std::vector<Value>>& rows, TableStyle style) {
  size_t ncols = !headers.empty() ? headers.size() : rows.empty() ? 0 : rows[0].size();
  bool multiline = style != TableStyle::kGithub;
  Columns columns = FormatColumns(headers, rows, ncols, multiline);
  const auto& widths = columns.widths;
  const auto& left = columns.left;
  const auto& cells = columns.cells;
  size_t pad = style == TableStyle::kGithub ? 1 : 0;
  std::string sep = style == TableStyle::kGithub ? "|" : "  ";
  std::string edge = style == TableStyle::kGithub ? "|" : "";
  auto join = [&](const std::vector<std::string>& parts) {
    std::string line = edge;
    for (size_t c = 0; c < parts.size(); ++c) {
      if (c) line += sep;
      line += std::string(pad, ' ') + parts[c] + std::string(pad, ' ');
    }
    return RStrip(line + edge);
  };
  auto dashes = [&] {
    std::vector<std::string> parts;
    for (size_t w : widths) parts.push_back(std::string(w, '-'));
    std::string line = edge;
    for (size_t c = 0; c < parts.size(); ++c) {
      if (c) line += sep;
      line += std::string(pad, '-') + parts[c] + std::string(pad, '-');
    }
    return line + edge;
  };
  std::vector<std::string> out;
  bool lines = style != TableStyle::kPlain;
  if (!headers.empty()) {
    std::vector<std::string> parts;
    for (size_t c = 0; c < ncols; ++c) parts.push_back(Pad(headers[c], widths[c], left[c]));
    out.push_back(join(parts));
    if (lines) out.push_back(dashes());
  } else if (lines) {
    out.push_back(dashes());
  }
  for (const auto& row : cells) {
    std::vector<std::vector<std::string>> split;
    size_t height = 1;
    for (const std::string& cell : row) {
      split.push_back(multiline ? Lines(cell) : std::vector<std::string>{cell});
      height = std::max(height, split.back().size());
    }
    for (size_t l = 0; l < height; ++l) {
      std::vector<std::string> parts;
      for (size_t c = 0; c < ncols; ++c) {
        parts.push_back(Pad(l < split[c].size() ? split[c][l] : "", widths[c], left[c]));
      }
      out.push_back(join(parts));
    }
  }
  if (headers.empty() && style == TableStyle::kSimple) out.push_back(dashes());
  std::string text;
  for (size_t i = 0; i < out.size(); ++i) text += (i ? "\n" : "") + out[i];
  return text;
}

}  // namespace almanac::format
