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

std::string RenderLogout(const format::JsonValue& actor);

struct CreateTokenModel {
  format::JsonValue actor;
  std::vector<api::ViewableDatabase> databases;
  std::vector<std::string> errors;
  std::optional<std::string> token;             // after a POST
  std::optional<format::JsonValue> token_bits;  // the decoded token
};
std::string RenderCreateToken(const CreateTokenModel& model);

std::string RenderPermissionsDebug(const std::vector<auth::PermissionCheck>& checks,
                                   const std::string& filter);

// The GET forms of /-/check, /-/allowed and /-/rules: they submit to the .json twin.
std::string RenderPermissionForm(const std::string& page, const std::string& actor_json);

std::string RenderCsrfError(const std::string& reason);

}  // namespace almanac::ui
