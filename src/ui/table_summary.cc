#include "ui/table_summary.h"

#include "core/url.h"
#include "ui/table_controls.h"

namespace almanac::ui {
namespace {

std::string ValueText(const Value& v) { return v.is_null() ? "" : v.ToDisplayString(); }

void AddCount(Data& data, const api::TablePage& page, const RenderContext& ctx) {
  if (!page.count) return;
  std::string text = page.count_truncated ? ">" + Plural(*page.count - 1, "row", "rows")
                                          : Plural(*page.count, "row", "rows");
  data.set("count_text", text);
  SetIf(data, "human_description", page.human_description_en);
  if (page.count_truncated && page.allow_execute_sql && !page.count_sql.empty()) {
    // "count all": the same count without the cap, as an SQL query with the filter values.
    QueryArgs args{{"sql", page.count_sql}};
    for (const auto& [name, value] : page.query_params) args.emplace_back(name, ValueText(value));
    std::string query = EncodeQueryString(args);
    api::Urls urls = ctx.instance.urls();
    data.set("count_all_href", urls.DatabaseAction(page.database, "query") + "?" + query);
    data.set("count_all_json", urls.DatabaseAction(page.database, "query.json") + "?" + query);
  }
}

Data FacetData(const api::FacetResult& facet, const api::Request& request) {
  FacetView view = ToFacetView(facet, request);
  Data d;
  d.set("name", facet.name);
  d.set("anchor", CssClass(facet.name));
  if (facet.type != "column") d.set("type_label", facet.type);
  d.set("remove_href", view.remove_href);
  d.set("truncated", facet.truncated);
  if (facet.truncated) d.set("more_href", view.more_href);
  Data values = List();
  for (const FacetValueView& v : view.values) {
    Data item;
    item.set("shown", v.label.empty() ? "-" : v.label);
    item.set("count_text", FormatCount(v.count));
    item.set("toggle_href", v.toggle_href);
    item.set("selected", v.selected);
    values.push_back(item);
  }
  Put(d, "values", std::move(values));
  if (!view.values.empty()) Put(d, "bar_chart", FacetBars(view));
  if (facet.type == "date") {
    Data timeline = FacetTimeline(view);
    if (timeline.is_object()) Put(d, "timeline", std::move(timeline));
  }
  return d;
}

}  // namespace

FacetView ToFacetView(const api::FacetResult& facet, const api::Request& request) {
  FacetView view;
  view.name = facet.name;
  view.type = facet.type;
  view.truncated = facet.truncated;
  view.remove_href = facet.toggle_url;
  view.more_href = ChangedArgsUrl(request, {"_facet_size"}, {{"_facet_size", "max"}}) + "#facet-" +
                   CssClass(facet.name);
  for (const api::FacetValue& v : facet.results) {
    view.values.push_back(
        {ValueText(v.value), ValueText(v.label), v.count, v.toggle_url, v.selected});
  }
  return view;
}

void AddTableSummary(Data& data, const api::TablePage& page, const RenderContext& ctx) {
  AddCount(data, page, ctx);
  data.set("supports_search", page.supports_search);
  if (page.search) data.set("search", *page.search);
  Data facets = List();
  for (const api::FacetResult& facet : page.facet_results) {
    facets.push_back(FacetData(facet, ctx.request));
  }
  data.set("has_facets", !page.facet_results.empty());
  Put(data, "facets", std::move(facets));
  Data suggested = List();
  for (const api::SuggestedFacet& s : page.suggested_facets) {
    Data item;
    item.set("name", s.name);
    if (s.type) item.set("type", *s.type);
    item.set("href", s.toggle_url + "#facet-" + CssClass(s.name));
    suggested.push_back(item);
  }
  data.set("has_suggested_facets", !page.suggested_facets.empty());
  Put(data, "suggested_facets", std::move(suggested));
  std::string timed_out;
  for (const std::string& f : page.facets_timed_out)
    timed_out += (timed_out.empty() ? "" : ", ") + f;
  SetIf(data, "facets_timed_out", timed_out);
  Data wheres = List();
  for (const auto& [text, remove] : page.extra_wheres) {
    Data item;
    item.set("text", text);
    item.set("remove_href", remove);
    wheres.push_back(item);
  }
  data.set("has_extra_wheres", !page.extra_wheres.empty());
  Put(data, "extra_wheres", std::move(wheres));
}

}  // namespace almanac::ui
