// Internal to web/: the HTML write forms (form_routes.cc shows them, form_submit.cc submits
// them through the write API).
#pragma once

#include "api/forms.h"
#include "web/handlers.h"

namespace almanac::web {

Response SubmitRowForm(const RouteContext& ctx, const api::RowFormPage& page, auth::Action action);
Response SubmitDrop(const RouteContext& ctx, const api::DropTablePage& page);
Response SubmitCreateTable(const RouteContext& ctx, const std::string& database);

}  // namespace almanac::web
