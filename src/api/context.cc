#include "api/context.h"

#include <algorithm>

namespace almanac::api {

const std::string* Request::Arg(std::string_view name) const {
  for (const auto& [k, v] : args) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::vector<std::string> Request::Args(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [k, v] : args) {
    if (k == name) values.push_back(v);
  }
  return values;
}

const std::string* Request::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return &v;
  }
  return nullptr;
}

std::string Request::AbsoluteUrl(std::string_view path_and_query) const {
  std::string url = scheme;
  url += "://";
  url += host;
  url += path_and_query;
  return url;
}

std::string Request::PathWithQuery() const {
  if (query_string.empty()) return path;
  return path + "?" + query_string;
}

std::string PathWithReplacedArgs(
    const Request& request,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& replacements,
    std::string_view path) {
  QueryArgs kept;
  for (const auto& arg : request.args) {
    const std::string& k = arg.first;
    const std::string& v = arg.second;
    if (v.empty()) continue;  // parse_qsl drops blank values
    bool replaced = std::any_of(replacements.begin(), replacements.end(),
                                [&](const auto& r) { return r.first == k; });
    if (!replaced) kept.emplace_back(k, v);
  }
  for (const auto& [k, v] : replacements) {
    if (v) kept.emplace_back(k, *v);
  }
  std::string out(path.empty() ? std::string_view(request.path) : path);
  std::string query = EncodeQueryString(kept);
  if (!query.empty()) {
    out += '?';
    out += query;
  }
  return out;
}

}  // namespace almanac::api
