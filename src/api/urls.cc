#include "api/urls.h"

#include <algorithm>

namespace almanac::api {
namespace {

std::string WithQuery(const Request& request, std::string_view path, const QueryArgs& args) {
  std::string out(path.empty() ? std::string_view(request.path) : path);
  std::string query = EncodeQueryString(args);
  if (!query.empty()) {
    out += '?';
    out += query;
  }
  return out;
}

}  // namespace

QueryArgs NonBlankArgs(const Request& request) {
  QueryArgs out;
  for (const auto& [k, v] : request.args) {
    if (!v.empty()) out.emplace_back(k, v);
  }
  return out;
}

std::string PathWithAddedArgs(const Request& request, const ArgChanges& args,
                              std::string_view path) {
  QueryArgs current;
  for (auto& arg : NonBlankArgs(request)) {
    const std::string& k = arg.first;
    const std::string& v = arg.second;
    bool removed = std::any_of(args.begin(), args.end(),
                               [&](const auto& a) { return a.first == k && !a.second; });
    if (!removed) current.emplace_back(k, v);
  }
  for (const auto& [k, v] : args) {
    if (v) current.emplace_back(k, *v);
  }
  return WithQuery(request, path, current);
}

std::string PathWithRemovedPairs(const Request& request,
                                 const std::vector<std::pair<std::string, std::string>>& pairs,
                                 std::string_view path) {
  QueryArgs current;
  for (auto& [k, v] : NonBlankArgs(request)) {
    // A dict: the last value given for a key is the one that is matched.
    const std::string* match = nullptr;
    for (const auto& [pk, pv] : pairs) {
      if (pk == k) match = &pv;
    }
    if (!match || *match != v) current.emplace_back(k, v);
  }
  return WithQuery(request, path, current);
}

std::string PathWithRemovedKeys(const Request& request, const std::vector<std::string>& keys,
                                std::string_view path) {
  QueryArgs current;
  for (auto& [k, v] : NonBlankArgs(request)) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) current.emplace_back(k, v);
  }
  return WithQuery(request, path, current);
}

}  // namespace almanac::api
