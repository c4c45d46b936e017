#include "links/link_defs.h"

#include <algorithm>
#include <charconv>

#include "core/float_repr.h"

namespace almanac::links {
namespace {

Result<SoftLink> ParseSoftLink(const format::JsonValue& item) {
  if (!item.is_object()) return InvalidArgument("links.soft: each link must be an object");
  SoftLink link;
  const format::JsonValue* from = item.Find("from");
  const format::JsonValue* to = item.Find("to");
  if (!from || !from->is_string() || !to || !to->is_string()) {
    return InvalidArgument("links.soft: each link needs from: TABLE.COLUMN and to: TABLE");
  }
  const std::string& text = from->as_string();
  size_t dot = text.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == text.size()) {
    return InvalidArgument("links.soft: from must be TABLE.COLUMN, not " + text);
  }
  link.table = text.substr(0, dot);
  link.column = text.substr(dot + 1);
  link.target_table = to->as_string();
  if (const format::JsonValue* path = item.Find("path")) {
    if (!path->is_string()) return InvalidArgument("links.soft: path must be a string like $.a.b");
    link.path = path->as_string();
    ALM_ASSIGN_OR_RETURN(link.steps, ParsePath(link.path));
  }
  for (const auto& [key, value] : item.as_object()) {
    (void)value;
    if (key != "from" && key != "to" && key != "path") {
      return InvalidArgument("links.soft: unknown key " + key + " (known: from, to, path)");
    }
  }
  return link;
}

std::string KeyText(const format::JsonValue& value) {
  if (value.is_string()) return value.as_string();
  if (value.is_int()) return std::to_string(value.as_int());
  if (value.is_number()) return PythonFloat(value.as_double());
  return {};
}

void Walk(const format::JsonValue& value, const std::vector<PathStep>& steps, size_t at,
          std::vector<std::string>& out) {
  if (at == steps.size()) {
    if (value.is_string() || value.is_number()) out.push_back(KeyText(value));
    return;
  }
  const PathStep& step = steps[at];
  switch (step.kind) {
    case PathStep::Kind::kKey:
      if (value.is_object()) {
        if (const format::JsonValue* next = value.Find(step.key)) Walk(*next, steps, at + 1, out);
      }
      return;
    case PathStep::Kind::kIndex:
      if (value.is_array() && step.index < value.as_array().size()) {
        Walk(value.as_array()[step.index], steps, at + 1, out);
      }
      return;
    case PathStep::Kind::kEach:
      if (value.is_array()) {
        for (const format::JsonValue& item : value.as_array()) Walk(item, steps, at + 1, out);
      }
      return;
  }
}

}  // namespace

Result<std::vector<PathStep>> ParsePath(std::string_view path) {
  auto bad = [&] {
    return InvalidArgument("links.soft: a path is $ then .key, [N] or [*] steps, not " +
                           std::string(path));
  };
  if (!path.starts_with('$')) return bad();
  std::vector<PathStep> steps;
  size_t i = 1;
  while (i < path.size()) {
    PathStep step;
    if (path[i] == '.') {
      size_t end = path.find_first_of(".[", i + 1);
      if (end == std::string_view::npos) end = path.size();
      if (end == i + 1) return bad();
      step.key = std::string(path.substr(i + 1, end - i - 1));
      i = end;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string_view::npos) return bad();
      std::string_view inside = path.substr(i + 1, close - i - 1);
      if (inside == "*") {
        step.kind = PathStep::Kind::kEach;
      } else {
        step.kind = PathStep::Kind::kIndex;
        auto [end, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), step.index);
        if (ec != std::errc() || end != inside.data() + inside.size()) return bad();
      }
      i = close + 1;
    } else {
      return bad();
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

Result<std::optional<LinkOptions>> ParseLinkOptions(const format::JsonValue* db_config) {
  if (!db_config || !db_config->is_object()) return std::optional<LinkOptions>();
  const format::JsonValue* block = db_config->Find("links");
  if (!block || block->is_null()) return std::optional<LinkOptions>();
  LinkOptions options;
  if (block->is_bool()) {
    if (!block->as_bool()) return std::optional<LinkOptions>();
    return std::optional<LinkOptions>(options);
  }
  if (!block->is_object()) return InvalidArgument("links must be true, false or an object");
  for (const auto& [key, value] : block->as_object()) {
    if (key == "soft") {
      if (!value.is_array()) return InvalidArgument("links.soft must be a list of links");
      for (const format::JsonValue& item : value.as_array()) {
        ALM_ASSIGN_OR_RETURN(SoftLink link, ParseSoftLink(item));
        options.soft.push_back(std::move(link));
      }
    } else if (key == "merge_every") {
      if (!value.is_int() || value.as_int() < 0) {
        return InvalidArgument("links.merge_every must be a whole number of zero or more");
      }
      options.merge_every = static_cast<size_t>(value.as_int());
    } else if (key == "merge_gap_ms") {
      if (!value.is_int() || value.as_int() < 0) {
        return InvalidArgument("links.merge_gap_ms must be a whole number of zero or more");
      }
      options.merge_gap_ms = value.as_int();
    } else {
      return InvalidArgument("Unknown option links." + key +
                             " (known: soft, merge_every, merge_gap_ms)");
    }
  }
  return std::optional<LinkOptions>(options);
}

std::vector<LinkDef> DefsForTable(const db::TableInfo& table, const LinkOptions& options) {
  std::vector<LinkDef> defs;
  if (table.kind != db::TableKind::kTable || table.name.starts_with("_almanac_")) return defs;
  auto column_index = [&](const std::string& name) -> std::optional<size_t> {
    for (size_t i = 0; i < table.columns.size(); ++i) {
      if (table.columns[i].name == name) return i;
    }
    return std::nullopt;
  };
  for (const db::ForeignKey& fk : table.outgoing) {
    std::optional<size_t> index = column_index(fk.column);
    if (!index) continue;
    defs.push_back(LinkDef{table.name, fk.column, fk.column, {}, fk.other_table, *index});
  }
  for (const SoftLink& link : options.soft) {
    if (link.table != table.name) continue;
    std::optional<size_t> index = column_index(link.column);
    if (!index) continue;
    defs.push_back(LinkDef{table.name, link.column, link.column + link.path, link.steps,
                           link.target_table, *index});
  }
  return defs;
}

std::vector<LinkDef> AllDefs(const db::Schema& schema, const LinkOptions& options) {
  std::vector<LinkDef> all;
  for (const db::TableInfo& table : schema.tables()) {
    std::vector<LinkDef> defs = DefsForTable(table, options);
    all.insert(all.end(), defs.begin(), defs.end());
  }
  return all;
}

std::string Fingerprint(const std::vector<LinkDef>& defs) {
  std::string out;
  for (const LinkDef& def : defs) {
    out += def.label;
    out += '\x1f';
    out += def.target_table;
    out += '\x1f';
    out += std::to_string(def.column_index);
    out += '\x1e';
  }
  return out;
}

void TargetKeys(const LinkDef& def, const Value& value, std::vector<std::string>& out) {
  size_t start = out.size();
  if (def.steps.empty()) {
    if (!value.is_null()) out.push_back(value.ToDisplayString());
  } else if (value.type() == Value::Type::kText) {
    Result<format::JsonValue> parsed = format::ParseJson(value.text());
    if (parsed.ok()) Walk(*parsed, def.steps, 0, out);
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
  out.erase(std::unique(out.begin() + static_cast<std::ptrdiff_t>(start), out.end()), out.end());
}

}  // namespace almanac::links
