#include "ui/table_controls.h"

#include <algorithm>

#include "core/url.h"

namespace almanac::ui {
namespace {

constexpr FilterOp kOps[] = {
    {"exact", "=", false},
    {"not", "!=", false},
    {"contains", "contains", false},
    {"notcontains", "does not contain", false},
    {"endswith", "ends with", false},
    {"startswith", "starts with", false},
    {"gt", ">", false},
    {"gte", "\u2265", false},
    {"lt", "<", false},
    {"lte", "\u2264", false},
    {"like", "like", false},
    {"notlike", "not like", false},
    {"glob", "glob", false},
    {"in", "in", false},
    {"notin", "not in", false},
    {"arraycontains", "array contains", false},
    {"arraynotcontains", "array does not contain", false},
    {"date", "date", false},
    {"isnull", "is null", true},
    {"notnull", "is not null", true},
    {"isblank", "is blank", true},
    {"notblank", "is not blank", true},
};

bool Contains(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

std::span<const FilterOp> FilterOps() { return kOps; }

const FilterOp* FindFilterOp(std::string_view key) {
  for (const FilterOp& op : kOps) {
    if (op.key == key) return &op;
  }
  return nullptr;
}

std::string ChangedArgsUrl(const api::Request& request, const std::vector<std::string>& remove,
                           const std::vector<std::pair<std::string, std::string>>& add,
                           std::string_view path) {
  QueryArgs args;
  for (const auto& [k, v] : request.args) {
    if (k == "_next" || Contains(remove, k)) continue;
    args.emplace_back(k, v);
  }
  for (const auto& [k, v] : add) args.emplace_back(k, v);
  std::string out(path.empty() ? std::string_view(request.path) : path);
  std::string query = EncodeQueryString(args);
  if (!query.empty()) out += "?" + query;
  return out;
}

std::vector<std::pair<std::string, std::string>> HiddenArgs(
    const api::Request& request, const std::vector<std::string>& form_sets) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : request.args) {
    if (k.empty() || k[0] != '_' || k == "_next" || Contains(form_sets, k)) continue;
    if (k.starts_with("_filter_")) continue;
    out.emplace_back(k, v);
  }
  return out;
}

}  // namespace almanac::ui
