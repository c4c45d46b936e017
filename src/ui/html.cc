#include "ui/html.h"

#include "format/html_escape.h"

namespace almanac::ui {

std::string Escape(std::string_view text) { return format::EscapeHtml(text); }

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
