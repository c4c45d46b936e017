// HTML pages drawn from the same page models as the JSON API. A plain first rendering:
// every value escaped, links between pages, no JavaScript needed.
#pragma once

#include <string>
#include <string_view>

#include "api/pages.h"
#include "api/special.h"

namespace almanac::ui {

// Escapes & < > " ' for text and attribute values.
std::string Escape(std::string_view text);

std::string RenderIndex(const api::IndexPage& page);
std::string RenderDatabase(const api::DatabasePage& page);
std::string RenderTable(const api::TablePage& page);
std::string RenderRow(const api::RowPage& page);
std::string RenderQuery(const api::QueryPage& page);
std::string RenderSpecial(const api::SpecialPage& page);
std::string RenderError(int status, std::string_view message);
// A page in the common layout around `body_html` (HTML the server built and escaped itself).
std::string RenderPage(std::string_view title, std::string_view body_html);

}  // namespace almanac::ui
