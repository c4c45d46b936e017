#include "ui/cells.h"

#include "ui/html.h"

namespace almanac::ui {
namespace {

bool IsUrl(std::string_view s) {
  if (!(s.starts_with("http://") || s.starts_with("https://"))) return false;
  if (s.size() < 10 || s.size() > 2048) return false;
  for (unsigned char c : s) {
    if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\'' || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::string_view TruncateUtf8(std::string_view text, int64_t max_chars, bool* truncated) {
  *truncated = false;
  if (max_chars <= 0 || static_cast<int64_t>(text.size()) <= max_chars) return text;
  int64_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    // Count lead bytes only; continuation bytes (10xxxxxx) belong to the previous character.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) {
        *truncated = true;
        return text.substr(0, i);
      }
      ++chars;
    }
  }
  return text;
}

std::string CellHtml(const Value& value, const CellOptions& options) {
  switch (value.type()) {
    case Value::Type::kNull:
      return "<span class=\"null\">&nbsp;</span>";
    case Value::Type::kBlob: {
      std::string label = "&lt;Binary:&nbsp;" + std::to_string(value.blob().size()) + "&nbsp;byte" +
                          (value.blob().size() == 1 ? "" : "s") + "&gt;";
      if (options.blob_href.empty()) return "<span class=\"blob\">" + label + "</span>";
      return "<a class=\"blob\" href=\"" + Escape(options.blob_href) + "\">" + label + "</a>";
    }
    case Value::Type::kText: {
      const std::string& text = value.text();
      if (IsUrl(text)) {
        bool truncated = false;
        std::string_view shown = TruncateUtf8(text, options.truncate, &truncated);
        return "<a href=\"" + Escape(text) + "\" rel=\"nofollow\">" + Escape(shown) +
               (truncated ? "\u2026" : "") + "</a>";
      }
      bool truncated = false;
      std::string_view shown = TruncateUtf8(text, options.truncate, &truncated);
      return Escape(shown) + (truncated ? "\u2026" : "");
    }
    default:
      return Escape(value.ToDisplayString());
  }
}

}  // namespace almanac::ui
