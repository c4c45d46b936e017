// The upload page: a multipart form (a file, or pasted data) that loads rows into a new or an
// existing table, and, once an upload has finished, what it imported. It works without
// JavaScript; app.js sends the form itself to show a progress bar (data-max-bytes lets it
// refuse a file that is too large before sending it).
#include "api/catalog.h"
#include "ui/renderer.h"
#include "ui/upload_form.h"
#include "ui/view.h"

namespace almanac::ui {
namespace {

std::string Megabytes(int64_t bytes) {
  int64_t mb = bytes >> 20;
  if (mb >= 1024 && mb % 1024 == 0) return std::to_string(mb / 1024) + " GB";
  return std::to_string(std::max<int64_t>(mb, 1)) + " MB";
}

}  // namespace

std::string Renderer::Upload(std::string_view database, const UploadFormState& state,
                             const UploadOutcome* outcome, int64_t limit_bytes,
                             const RenderContext& ctx) const {
  Data data;
  data.set("color", api::DatabaseColor(database));
  data.set("heading", "Upload data to " + std::string(database));
  std::string action = ctx.instance.urls().DatabaseAction(database, "upload");
  data.set("action", action);
  data.set("cancel_href", DatabaseUrl(ctx, database));
  data.set("table_name", state.table_name);
  data.set("append", state.append);
  data.set("limit", Megabytes(limit_bytes));
  data.set("limit_bytes", std::to_string(limit_bytes));
  Data formats = List();
  for (const auto& [value, label] :
       std::vector<std::pair<std::string, std::string>>{{"", "Detect"},
                                                        {"csv", "CSV"},
                                                        {"tsv", "TSV"},
                                                        {"json", "JSON array"},
                                                        {"ndjson", "Newline-delimited JSON"}}) {
    Data f;
    f.set("value", value);
    f.set("label", label);
    f.set("selected", value == state.format);
    formats.push_back(f);
  }
  Put(data, "formats", std::move(formats));
  if (state.error) data.set("error", *state.error);
  if (outcome) {
    Data done;
    done.set("table", outcome->table);
    done.set("table_href", TableUrl(ctx, database, outcome->table));
    done.set("again_href", action);
    done.set("summary", std::string(outcome->created ? "Created table " : "Added to table ") +
                            outcome->table + ": " + Plural(outcome->rows, "row", "rows") +
                            " from " + FormatCount(static_cast<int64_t>(outcome->bytes)) +
                            " bytes of " + outcome->format + ".");
    Put(data, "outcome", std::move(done));
  }
  Frame frame{std::string(database) + ": upload", "form create-table upload", Crumbs(ctx, database),
              ""};
  return RenderPage(assets_, "upload", std::move(data), frame, ctx);
}

}  // namespace almanac::ui
