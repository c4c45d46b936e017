// RoutePattern: one URL pattern of the route table, written the way the docs write URLs, and
// matched as Datasette's regular expressions match (anchored at both ends). Pure.
//   /-/versions              literal text
//   <db>  <table>  <query>   a name without dots or slashes: [^/.]+
//   <table:any> <pks:any>    a name that may hold dots, the shortest that fits: [^/]+?
//   <path*>  <rest*>         everything to the end of the path, slashes included: .*
//   (.json)  (.json|.md)     an optional format suffix from that list
//   (.<format>)              an optional format suffix of word characters: (\.\w+)?
// e.g. "/<db>/<table>(.<format>)", "/<db>/<table:any>/<pks:any>(.<format>)".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace almanac::web {

// What a match captured, tilde-encoded as in the URL (the handler decodes).
struct Captures {
  std::string database;  // <db>
  std::string table;     // <table> or <query>
  std::string pks;       // <pks>
  std::string rest;      // <path*> or <rest*>
  std::string format;    // "json", "csv", ... or "" for none
};

class RoutePattern {
 public:
  // `text` must be a well-formed pattern (the route table is code): a malformed one throws
  // std::invalid_argument when the table is built.
  explicit RoutePattern(std::string_view text);

  bool Match(std::string_view path, Captures& captures) const;
  const std::string& text() const { return text_; }
  // Datasette's request.url_vars for a match: each capture by Datasette's group name
  // ("database", "table", "query", "pks", "path", "rest", "format"), in pattern order, the value
  // as in the URL (tilde-encoded); an optional format that is absent is nullopt (None).
  std::vector<std::pair<std::string, std::optional<std::string>>> UrlVars(
      const Captures& captures) const;

 private:
  enum class Kind { kLiteral, kName, kLazyName, kRest, kFormat };
  struct Token {
    Kind kind;
    std::string text;                  // literal text, or the capture's name
    std::vector<std::string> formats;  // kFormat: allowed formats; empty allows any \w+
  };

  std::string text_;
  std::vector<Token> tokens_;
};

// Python's \w for a byte of UTF-8 text: letters, digits, "_" and every non-ASCII byte.
bool IsWordChar(char c);

}  // namespace almanac::web
