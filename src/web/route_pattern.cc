#include "web/route_pattern.h"

#include <algorithm>
#include <stdexcept>

namespace almanac::web {
namespace {

bool AllWordChars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsWordChar);
}

std::string* CaptureField(Captures& captures, const std::string& name) {
  if (name == "db") return &captures.database;
  if (name == "table" || name == "query") return &captures.table;
  if (name == "pks") return &captures.pks;
  if (name == "path" || name == "rest") return &captures.rest;
  return nullptr;
}

// Whether `suffix` (after the dot) is a format `allowed` accepts.
bool FormatFits(std::string_view suffix, const std::vector<std::string>& allowed) {
  if (allowed.empty()) return AllWordChars(suffix);
  return std::find(allowed.begin(), allowed.end(), suffix) != allowed.end();
}

}  // namespace

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

RoutePattern::RoutePattern(std::string_view text) : text_(text) {
  Captures probe;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '<') {
      size_t end = text.find('>', i);
      if (end == std::string_view::npos) throw std::invalid_argument("unclosed < in " + text_);
      std::string name(text.substr(i + 1, end - i - 1));
      Kind kind = Kind::kName;
      if (name.ends_with("*")) {
        kind = Kind::kRest;
        name.pop_back();
      } else if (name.ends_with(":any")) {
        kind = Kind::kLazyName;
        name.resize(name.size() - 4);
      }
      if (!CaptureField(probe, name)) throw std::invalid_argument("unknown capture in " + text_);
      tokens_.push_back({kind, name, {}});
      i = end + 1;
    } else if (text.substr(i).starts_with("(.")) {
      size_t end = text.find(')', i);
      if (end != text.size() - 1) throw std::invalid_argument("format must end " + text_);
      Token format{Kind::kFormat, "", {}};
      std::string_view list = text.substr(i + 1, end - i - 1);  // ".json|.md" or ".<format>"
      if (list != ".<format>") {
        for (size_t start = 0; start < list.size();) {
          size_t bar = list.find('|', start);
          if (bar == std::string_view::npos) bar = list.size();
          format.formats.emplace_back(list.substr(start + 1, bar - start - 1));
          start = bar + 1;
        }
      }
      tokens_.push_back(std::move(format));
      i = end + 1;
    } else {
      size_t end = std::min(text.find('<', i), text.find("(.", i));
      if (end == std::string_view::npos) end = text.size();
      tokens_.push_back({Kind::kLiteral, std::string(text.substr(i, end - i)), {}});
      i = end;
    }
  }
}

bool RoutePattern::Match(std::string_view path, Captures& captures) const {
  Captures out;
  size_t pos = 0;
  for (size_t t = 0; t < tokens_.size(); ++t) {
    const Token& token = tokens_[t];
    std::string_view rest = path.substr(pos);
    switch (token.kind) {
      case Kind::kLiteral:
        if (!rest.starts_with(token.text)) return false;
        pos += token.text.size();
        break;
      case Kind::kName: {
        size_t n = rest.find_first_of("/.");
        if (n == std::string_view::npos) n = rest.size();
        if (n == 0) return false;
        *CaptureField(out, token.text) = std::string(rest.substr(0, n));
        pos += n;
        break;
      }
      case Kind::kLazyName: {
        // The shortest run of non-slashes the next token accepts: up to the next "/" when a
        // literal follows, else (a format or the end follows) up to a last ".<word>" suffix.
        size_t slash = rest.find('/');
        size_t n = slash == std::string_view::npos ? rest.size() : slash;
        bool last = t + 1 == tokens_.size() || tokens_[t + 1].kind == Kind::kFormat;
        if (last && slash != std::string_view::npos) return false;
        if (last && t + 1 < tokens_.size()) {
          size_t dot = rest.rfind('.');
          if (dot != std::string_view::npos && dot > 0 &&
              FormatFits(rest.substr(dot + 1), tokens_[t + 1].formats)) {
            n = dot;
          }
        }
        if (n == 0) return false;
        *CaptureField(out, token.text) = std::string(rest.substr(0, n));
        pos += n;
        break;
      }
      case Kind::kRest:
        *CaptureField(out, token.text) = std::string(rest);
        pos = path.size();
        break;
      case Kind::kFormat:
        if (rest.empty()) break;
        if (rest[0] != '.' || !FormatFits(rest.substr(1), token.formats)) return false;
        out.format = std::string(rest.substr(1));
        pos = path.size();
        break;
    }
  }
  if (pos != path.size()) return false;
  captures = std::move(out);
  return true;
}

std::vector<std::pair<std::string, std::optional<std::string>>> RoutePattern::UrlVars(
    const Captures& captures) const {
  std::vector<std::pair<std::string, std::optional<std::string>>> vars;
  Captures copy = captures;
  for (const Token& token : tokens_) {
    if (token.kind == Kind::kLiteral) continue;
    if (token.kind == Kind::kFormat) {
      vars.emplace_back("format",
                        captures.format.empty() ? std::nullopt : std::optional(captures.format));
      continue;
    }
    vars.emplace_back(token.text == "db" ? "database" : token.text,
                      *CaptureField(copy, token.text));
  }
  return vars;
}

}  // namespace almanac::web
