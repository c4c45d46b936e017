#include "ui/html.h"

namespace almanac::ui {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderError(int status, std::string_view message) {
  std::string title = "Error " + std::to_string(status);
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
         "</title>\n</head>\n<body>\n<h1>" + title + "</h1>\n<p>" + Escape(message) +
         "</p>\n</body>\n</html>\n";
}

std::string RenderPage(std::string_view title, std::string_view body_html) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         Escape(title) + "</title>\n</head>\n<body>\n" + std::string(body_html) +
         "</body>\n</html>\n";
}

}  // namespace almanac::ui
