// HTML for the sign-in, token and permission-debugging pages (Datasette's logout.html,
// create_token.html, debug_permissions_playground.html, debug_check/allowed/rules.html and
// csrf_error.html), drawn from plain models.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/permission_pages.h"
#include "auth/permissions.h"

namespace almanac::ui {

// A page body the server built (escaped) and its title, for Renderer::Wrap.
struct HtmlPage {
  std::string title;
  std::string body;
};

struct CreateTokenModel {
  format::JsonValue actor;
  std::vector<api::ViewableDatabase> databases;
  std::vector<std::string> errors;
  std::optional<std::string> token;             // after a POST
  std::optional<format::JsonValue> token_bits;  // the decoded token
};
// JSON indented for reading (not escaped).
std::string PrettyJson(const format::JsonValue& value);

// The token restriction checkboxes of /-/create-token (escaped HTML).
std::string RestrictionBoxes(const std::vector<api::ViewableDatabase>& databases);

HtmlPage RenderPermissionsDebug(const std::vector<auth::PermissionCheck>& checks,
                                const std::string& filter);

// The GET forms of /-/check, /-/allowed and /-/rules: they submit to the .json twin.
HtmlPage RenderPermissionForm(const std::string& page, const std::string& actor_json);

std::string RenderCsrfError(const std::string& reason);

}  // namespace almanac::ui
