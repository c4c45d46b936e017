// The small tool pages Datasette has beside its data pages, as page bodies for Renderer::Wrap:
// the API explorer (/-/api), the pattern portfolio (/-/patterns), the allow-block debugger
// (/-/allow-debug) and the flash-message debugger (/-/messages). Every value is escaped here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/permission_pages.h"
#include "api/url_builder.h"
#include "ui/auth_html.h"

namespace almanac::ui {

// The JSON endpoints of what the actor may see, as links, and the write endpoints with an
// example body for each table.
HtmlPage RenderApiExplorer(const api::Urls& urls,
                           const std::vector<api::ViewableDatabase>& databases);

// Almanac's UI elements on one page, for template authors.
HtmlPage RenderPatterns();

struct AllowDebugModel {
  std::string actor_input;
  std::string allow_input;
  std::string error;            // JSON errors, "" when both parsed
  std::optional<bool> allowed;  // the result when both parsed
};
HtmlPage RenderAllowDebug(const AllowDebugModel& model, const api::Urls& urls);

HtmlPage RenderMessagesDebug(const api::Urls& urls);

}  // namespace almanac::ui
