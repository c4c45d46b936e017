#include "ui/html.h"

#include "core/url.h"
#include "format/json_writer.h"

namespace almanac::ui {
namespace {

constexpr std::string_view kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;line-height:1.4}
header,main,footer{padding:0.6em 1.2em}
header{background:#27384a;color:#fff}header a{color:#fff}
table{border-collapse:collapse;font-size:0.9em}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f6f8;position:sticky;top:0}
pre{background:#f4f6f8;padding:0.8em;overflow:auto}
.error{border:3px solid #c00;padding:1em;margin:1em 0}
)";

std::string Layout(std::string_view title, std::string_view crumbs, const std::string& body) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  html += Escape(title);
  html += "</title>\n<style>";
  html += kStyle;
  html += "</style>\n</head>\n<body>\n<header><nav><a href=\"/\">home</a>";
  html += crumbs;
  html += "</nav></header>\n<main>\n";
  html += body;
  html += "</main>\n<footer>Powered by Almanac</footer>\n</body>\n</html>\n";
  return html;
}

std::string CellText(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      return "&nbsp;";
    case Value::Type::kBlob:
      return "&lt;Binary:&nbsp;" + std::to_string(v.blob().size()) + "&nbsp;bytes&gt;";
    default:
      return Escape(v.ToDisplayString());
  }
}

std::string RowsTable(const db::Rows& rows) {
  std::string html = "<table>\n<thead><tr>";
  for (const std::string& c : rows.columns) html += "<th scope=\"col\">" + Escape(c) + "</th>";
  html += "</tr></thead>\n<tbody>\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    html += "<tr>";
    for (size_t c = 0; c < rows.columns.size(); ++c)
      html += "<td>" + CellText(rows.at(r, c)) + "</td>";
    html += "</tr>\n";
  }
  html += "</tbody>\n</table>\n";
  return html;
}

std::string DbPath(std::string_view db) { return "/" + TildeEncode(db); }

std::string DbCrumb(std::string_view db) {
  return " / <a href=\"" + Escape(DbPath(db)) + "\">" + Escape(db) + "</a>";
}

}  // namespace

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
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

std::string RenderIndex(const api::IndexPage& page) {
  std::string body = "<h1>Databases</h1>\n";
  for (const api::IndexDatabase& db : page.databases) {
    body += "<h2><a href=\"" + Escape(db.path) + "\">" + Escape(db.name) + "</a></h2>\n<p>";
    body += std::to_string(db.tables_count) + " tables";
    if (db.show_table_row_counts) body += ", " + std::to_string(db.table_rows_sum) + " rows";
    body += "</p>\n<ul>";
    for (const api::TableSummary& t : db.tables) {
      body += "<li><a href=\"" + Escape(db.path + "/" + TildeEncode(t.name)) + "\">" +
              Escape(t.name) + "</a></li>";
    }
    body += "</ul>\n";
  }
  return Layout("Almanac", "", body);
}

std::string RenderDatabase(const api::DatabasePage& page) {
  std::string body = "<h1>" + Escape(page.database) + "</h1>\n";
  if (page.allow_execute_sql) {
    body +=
        "<form action=\"" + Escape(page.path) +
        "/-/query\" method=\"get\">\n"
        "<label for=\"sql\">Custom SQL query</label><br>\n"
        "<textarea id=\"sql\" name=\"sql\" rows=\"4\" cols=\"70\">select * from </textarea><br>\n"
        "<button type=\"submit\">Run SQL</button>\n</form>\n";
  }
  body += "<h2>Tables</h2>\n<ul>\n";
  for (const api::TableSummary& t : page.tables) {
    if (t.hidden) continue;
    body += "<li><a href=\"" + Escape(page.path + "/" + TildeEncode(t.name)) + "\">" +
            Escape(t.name) + "</a>";
    if (t.count)
      body += " (" + std::to_string(*t.count) + (t.count_truncated ? "+" : "") + " rows)";
    body += "</li>\n";
  }
  body += "</ul>\n";
  if (!page.views.empty()) {
    body += "<h2>Views</h2>\n<ul>\n";
    for (const std::string& v : page.views) {
      body += "<li><a href=\"" + Escape(page.path + "/" + TildeEncode(v)) + "\">" + Escape(v) +
              "</a></li>\n";
    }
    body += "</ul>\n";
  }
  return Layout(page.database, DbCrumb(page.database), body);
}

std::string RenderTable(const api::TablePage& page) {
  std::string base = DbPath(page.database) + "/" + TildeEncode(page.table);
  std::string body = "<h1>" + Escape(page.table) + "</h1>\n";
  body += "<p><a href=\"" + Escape(base) + ".json\">JSON</a></p>\n";
  body += RowsTable(page.rows);
  if (page.next_url) body += "<p><a href=\"" + Escape(*page.next_url) + "\">Next page</a></p>\n";
  return Layout(page.table, DbCrumb(page.database), body);
}

std::string RenderRow(const api::RowPage& page) {
  std::string body = "<h1>" + Escape(page.table) + "</h1>\n" + RowsTable(page.rows);
  return Layout(page.table, DbCrumb(page.database), body);
}

std::string RenderQuery(const api::QueryPage& page) {
  std::string body = "<h1>" + Escape(page.canned_query.value_or("Custom SQL query")) + "</h1>\n";
  body += "<form action=\"" + Escape(DbPath(page.database)) +
          "/-/query\" method=\"get\">\n"
          "<label for=\"sql\">SQL</label><br>\n<textarea id=\"sql\" name=\"sql\" rows=\"6\" "
          "cols=\"70\">" +
          Escape(page.sql) +
          "</textarea><br>\n<button type=\"submit\">Run SQL"
          "</button>\n</form>\n";
  if (page.error) {
    body += "<p class=\"error\">" + Escape(*page.error) + "</p>\n";
  } else {
    body += RowsTable(page.rows);
  }
  return Layout("Query", DbCrumb(page.database), body);
}

std::string RenderSpecial(const api::SpecialPage& page) {
  std::string json;
  format::JsonWriter writer(json, {.compact = false, .ensure_ascii = false});
  format::WriteJson(page.data, writer);
  return Layout(page.title, "",
                "<h1>" + Escape(page.title) + "</h1>\n<pre>" + Escape(json) + "</pre>\n");
}

std::string RenderError(int status, std::string_view message) {
  std::string title = "Error " + std::to_string(status);
  return Layout(
      title, "",
      "<h1>" + Escape(title) + "</h1>\n<div class=\"error\">" + Escape(message) + "</div>\n");
}

std::string RenderPage(std::string_view title, std::string_view body_html) {
  return Layout(std::string(title), "", std::string(body_html));
}

}  // namespace almanac::ui
