#include "ui/json_html.h"

#include <algorithm>

#include "format/json_writer.h"
#include "ui/html.h"

namespace almanac::ui {
namespace {

constexpr int kMaxDepth = 12;

std::string Scalar(const format::JsonValue& v) {
  if (v.is_string())
    return v.as_string().empty() ? "<em class=\"muted\">(empty)</em>" : Escape(v.as_string());
  if (v.is_null()) return "<em class=\"muted\">null</em>";
  return "<code>" + Escape(format::ToJsonText(v)) + "</code>";
}

// The shared keys when `list` holds only objects with scalar members; empty otherwise.
std::vector<std::string> TableKeys(const format::JsonValue::Array& list) {
  std::vector<std::string> keys;
  if (list.empty()) return keys;
  for (const format::JsonValue& item : list) {
    if (!item.is_object()) return {};
    for (const auto& [k, v] : item.as_object()) {
      if (v.is_object()) return {};
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  return keys;
}

void Append(std::string& out, const format::JsonValue& v, int depth);

void AppendTable(std::string& out, const format::JsonValue::Array& list,
                 const std::vector<std::string>& keys, int depth) {
  out += "<div class=\"table-wrapper\"><table class=\"json-table\"><thead><tr>";
  for (const std::string& k : keys) out += "<th scope=\"col\">" + Escape(k) + "</th>";
  out += "</tr></thead><tbody>";
  for (const format::JsonValue& item : list) {
    out += "<tr>";
    for (const std::string& k : keys) {
      out += "<td>";
      if (const format::JsonValue* v = item.Find(k)) Append(out, *v, depth + 1);
      out += "</td>";
    }
    out += "</tr>";
  }
  out += "</tbody></table></div>";
}

void Append(std::string& out, const format::JsonValue& v, int depth) {
  if (depth > kMaxDepth) {
    out += "<code>" + Escape(format::ToJsonText(v)) + "</code>";
    return;
  }
  if (v.is_object()) {
    if (v.as_object().empty()) {
      out += "<em class=\"muted\">{}</em>";
      return;
    }
    out += "<dl class=\"json\">";
    for (const auto& [k, member] : v.as_object()) {
      out += "<dt>" + Escape(k) + "</dt><dd>";
      Append(out, member, depth + 1);
      out += "</dd>";
    }
    out += "</dl>";
  } else if (v.is_array()) {
    const format::JsonValue::Array& list = v.as_array();
    if (list.empty()) {
      out += "<em class=\"muted\">[]</em>";
      return;
    }
    std::vector<std::string> keys = TableKeys(list);
    if (!keys.empty()) {
      AppendTable(out, list, keys, depth);
      return;
    }
    out += "<ul class=\"json\">";
    for (const format::JsonValue& item : list) {
      out += "<li>";
      Append(out, item, depth + 1);
      out += "</li>";
    }
    out += "</ul>";
  } else {
    out += Scalar(v);
  }
}

}  // namespace

std::string JsonToHtml(const format::JsonValue& value) {
  std::string out;
  Append(out, value, 0);
  return out;
}

}  // namespace almanac::ui
