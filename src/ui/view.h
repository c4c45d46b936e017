// Internal to ui/: mustache data helpers, URL builders and the page frame shared by the page
// builders (pages_*.cc). Names starting with "_" are reserved for partials, so template
// variables never start with one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <kainjow/mustache.hpp>

#include "format/json_value.h"
#include "ui/renderer.h"

namespace almanac::ui {

using Data = kainjow::mustache::data;

inline Data List() { return Data(Data::type::list); }
inline Data Str(std::string_view s) { return Data(std::string(s)); }
// Sets `key` only when `value` is not empty: in mustache an empty string still opens a section.
inline void SetIf(Data& data, const std::string& key, const std::string& value) {
  if (!value.empty()) data.set(key, value);
}
// Moves a (large) value in; Data::set would copy it.
inline void Put(Data& data, const std::string& key, Data&& value) { data[key] = std::move(value); }
// kainjow's data gives no mutable access to a list, but the list a Data owns is not const.
inline auto& MutableList(Data& list) {
  using ListType = std::remove_cvref_t<decltype(list.list_value())>;
  return const_cast<ListType&>(list.list_value());
}
// A list with room for `n` items: Data's move constructor is not noexcept, so a list that
// grows copies every item it holds (deeply) instead of moving it.
inline Data ListOf(size_t n) {
  Data list = List();
  MutableList(list).reserve(n);
  return list;
}
// Appends `item` to `list`, moved: Data::push_back copies, and a page's rows are most of its
// data (each row copied whole into the list was a third of an HTML table page's CPU).
inline void Append(Data& list, Data&& item) {
  if (list.is_list()) MutableList(list).push_back(std::move(item));
}
// 1234567 -> "1,234,567" (Datasette's "{:,}").
std::string FormatCount(int64_t n);
// "1 row", "2 rows"; "1,001 rows".
std::string Plural(int64_t n, std::string_view singular, std::string_view plural);

// Links to a database's and a table's pages, under the base_url setting (api::Urls).
std::string DatabaseUrl(const RenderContext& ctx, std::string_view database);
std::string TableUrl(const RenderContext& ctx, std::string_view database, std::string_view table);

// A CSS string literal body for `text`: every character outside [A-Za-z0-9 _-] becomes a
// hex escape, so nothing in it can close the string or the <style> element.
std::string CssString(std::string_view text);
// Labels for the stacked (phone) layout of a rows grid: a <style> with one rule per column.
std::string MobileLabels(const std::vector<std::string>& columns);
// A token usable in a class name or id: [a-z0-9-] only, plus a short hash when changed.
std::string CssClass(std::string_view text);

struct Crumb {
  std::string label;
  std::string href;
};

struct Frame {
  std::string title;
  std::string body_class;
  std::vector<Crumb> crumbs;
  std::string extra_head;  // HTML built by the page builder (escaped parts only)
};

// Breadcrumbs for pages inside a database (and table).
std::vector<Crumb> Crumbs(const RenderContext& ctx, std::string_view database,
                          std::string_view table = {});

// Drops the parsed templates that no render holds (an idle server's memory); the next render
// parses what it needs again.
void ForgetIdleTemplates();

// Renders template `name` with `data`, then base.mustache around it.
std::string RenderPage(const Assets& assets, std::string_view name, Data data, const Frame& frame,
                       const RenderContext& ctx);

// Metadata (description, license, source, about) as meta_* keys plus has_meta.
Data MetadataData(const format::JsonValue& metadata);

// The :named parameters of `sql`, in order of first use, skipping string literals, quoted
// names and comments (text only; nothing is executed).
std::vector<std::string> NamedParameters(std::string_view sql);

// True when the request's actor may do `action` on `resource`.
bool Allowed(const RenderContext& ctx, auth::Action action, const auth::Resource& resource);

}  // namespace almanac::ui
