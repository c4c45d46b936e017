#include "cloud/layout.h"

#include "core/url.h"
#include "format/html_escape.h"

namespace almanac::cloud {

std::string_view Stylesheet() {
  for (const EmbeddedFile& file : EmbeddedFiles()) {
    if (file.name == "static/app.css") return file.data;
  }
  return {};
}

std::string Escape(std::string_view text) { return format::EscapeHtml(text); }

std::string RenderPage(const PageParts& page) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      Escape(page.title) + "</title>\n<link rel=\"stylesheet\" href=\"" +
      std::string(kStylesheetPath) +
      "\">\n</head>\n<body>\n<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n"
      "<header class=\"hd\">\n<nav aria-label=\"Breadcrumbs\" class=\"crumbs\">"
      "<a class=\"brand\" href=\"/-/spaces\">Almanac</a>";
  for (const Crumb& crumb : page.crumbs) {
    html += "<span class=\"sep\" aria-hidden=\"true\">/</span><a href=\"" + Escape(crumb.href) +
            "\">" + Escape(crumb.label) + "</a>";
  }
  html += "</nav>\n";
  if (!page.signed_in_as.empty()) {
    html += "<div class=\"actor\">\n<span>Signed in as <strong>" + Escape(page.signed_in_as) +
            "</strong></span>\n<form action=\"/-/signout\" method=\"post\" class=\"inline\">"
            "<input type=\"hidden\" name=\"csrf\" value=\"" +
            Escape(page.csrf) +
            "\"><button type=\"submit\" class=\"button-link\">Sign out</button></form>\n</div>\n";
  } else {
    html +=
        "<div class=\"actor\"><a href=\"/-/signin\">Sign in</a> <a href=\"/-/signup\">Sign "
        "up</a></div>\n";
  }
  html += "</header>\n<main id=\"main\" class=\"content\">\n";
  if (!page.message.empty()) {
    html += "<p class=\"message-" + page.message_class + "\" role=\"status\">" +
            Escape(page.message) + "</p>\n";
  }
  html += page.content;
  html +=
      "</main>\n<footer class=\"ft\">Powered by Almanac &middot; <a href=\"/-/spaces\">my "
      "spaces</a></footer>\n</body>\n</html>\n";
  return html;
}

std::map<std::string, std::string> ParseForm(std::string_view body) {
  std::map<std::string, std::string> fields;
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name = PercentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
    fields[std::move(name)] = std::move(value);
  }
  return fields;
}

}  // namespace almanac::cloud
