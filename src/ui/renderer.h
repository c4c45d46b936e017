// Renderer: HTML pages from the same page models the JSON API renders. Each page is a mustache
// template (src/ui/templates, overridable with --template-dir) drawn inside base.mustache.
// Every value from a database, a URL or a user is escaped; raw ({{{x}}}) output is used only
// for HTML this module built itself from escaped parts. Never runs SQL: it reads models,
// the request (for links that keep the current query string) and the instance's settings,
// config and permission engine (to show only the actions an actor may take).
#pragma once

#include <string>
#include <string_view>

#include "api/context.h"
#include "api/forms.h"
#include "api/pages.h"
#include "api/special.h"
#include "ui/assets.h"
#include "ui/auth_html.h"
#include "ui/forms.h"
#include "ui/upload_form.h"

namespace almanac::ui {

// What every page needs besides its model.
struct RenderContext {
  const api::Instance& instance;
  const api::Request& request;
  std::string json_url;  // the page's JSON twin (absolute), empty when there is none
};

class Renderer {
 public:
  explicit Renderer(Assets assets) : assets_(std::move(assets)) {}

  const Assets& assets() const { return assets_; }

  std::string Index(const api::IndexPage& page, const RenderContext& ctx) const;
  std::string Database(const api::DatabasePage& page, const RenderContext& ctx) const;
  std::string Table(const api::TablePage& page, const RenderContext& ctx) const;
  std::string Row(const api::RowPage& page, const RenderContext& ctx) const;
  std::string Query(const api::QueryPage& page, const RenderContext& ctx) const;
  std::string Special(const api::SpecialPage& page, const RenderContext& ctx) const;
  std::string Error(int status, std::string_view message, const RenderContext& ctx) const;

  // Sign-in pages (pages_auth.cc).
  std::string Logout(const format::JsonValue& actor, const RenderContext& ctx) const;
  std::string CreateToken(const CreateTokenModel& model, const RenderContext& ctx) const;
  // A page body built (and escaped) elsewhere, inside the layout.
  std::string Wrap(const HtmlPage& page, const RenderContext& ctx) const;

  // Write forms (pages_forms.cc).
  std::string RowForm(const api::RowFormPage& page, const FormState& state,
                      const RenderContext& ctx) const;
  std::string ConfirmDeleteRow(const api::RowFormPage& page, const RenderContext& ctx) const;
  std::string ConfirmDrop(const api::DropTablePage& page, const RenderContext& ctx) const;
  std::string CreateTable(std::string_view database, const CreateTableState& state,
                          const RenderContext& ctx) const;
  // The upload page (pages_upload.cc): the form, or with `outcome` what an upload imported.
  std::string Upload(std::string_view database, const UploadFormState& state,
                     const UploadOutcome* outcome, int64_t limit_bytes,
                     const RenderContext& ctx) const;

 private:
  Assets assets_;
};

}  // namespace almanac::ui
