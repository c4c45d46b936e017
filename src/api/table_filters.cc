#include "api/table_filters.h"

#include <algorithm>
#include <regex>

#include "api/urls.h"
#include "format/json_value.h"
#include "format/json_writer.h"
#include "sql/filters.h"
#include "sql/search.h"

namespace almanac::api {
namespace {

using format::JsonValue;

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Strip(std::string_view s) {
  size_t first = s.find_first_not_of(" \t\n\r\f\v");
  if (first == std::string_view::npos) return "";
  size_t last = s.find_last_not_of(" \t\n\r\f\v");
  return std::string(s.substr(first, last - first + 1));
}

// Datasette's InFilter.split_value: a JSON list, or comma-separated values (stripped).
Result<JsonValue> SplitInValue(const std::string& value) {
  if (value.starts_with("[")) {
    Result<JsonValue> parsed = format::ParseJson(value);
    if (!parsed.ok() || !parsed->is_array()) {
      return InvalidArgument("Invalid JSON list for __in filter: " + value);
    }
    for (const JsonValue& item : parsed->as_array()) {
      if (item.is_array() || item.is_object()) {
        return InvalidArgument("__in filter values must be strings or numbers");
      }
    }
    return parsed;
  }
  JsonValue::Array items;
  size_t start = 0;
  for (;;) {
    size_t comma = value.find(',', start);
    items.push_back(JsonValue::String(Strip(value.substr(start, comma - start))));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return JsonValue::MakeArray(std::move(items));
}

Value JsonScalarToValue(const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::kBool:
      return Value::Integer(v.as_bool() ? 1 : 0);
    case JsonValue::Type::kInt:
      return Value::Integer(v.as_int());
    case JsonValue::Type::kDouble:
      return Value::Real(v.as_double());
    case JsonValue::Type::kString:
      return Value::Text(v.as_string());
    default:
      return Value::Null();
  }
}

// Python's str() of a JSON scalar, for descriptions (lists and dicts: "None").
std::string JsonScalarText(const JsonValue& v) {
  return v.is_array() || v.is_object() ? "None" : format::PythonStr(v);
}

std::string HumanClause(const std::string& c, sql::FilterOp op, const std::string& v,
                        const JsonValue& list) {
  auto quoted = [&](std::string_view what) { return c + std::string(what) + "\"" + v + "\""; };
  switch (op) {
    case sql::FilterOp::kExact:
      return IsDigits(v) ? c + " = " + v : quoted(" = ");
    case sql::FilterOp::kNot:
      return IsDigits(v) ? c + " != " + v : quoted(" != ");
    case sql::FilterOp::kContains:
    case sql::FilterOp::kArrayContains:
      return quoted(" contains ");
    case sql::FilterOp::kNotContains:
    case sql::FilterOp::kArrayNotContains:
      return quoted(" does not contain ");
    case sql::FilterOp::kEndsWith:
      return quoted(" ends with ");
    case sql::FilterOp::kStartsWith:
      return quoted(" starts with ");
    case sql::FilterOp::kGt:
      return c + " > " + v;
    case sql::FilterOp::kGte:
      return c + " \u2265 " + v;
    case sql::FilterOp::kLt:
      return c + " < " + v;
    case sql::FilterOp::kLte:
      return c + " \u2264 " + v;
    case sql::FilterOp::kLike:
      return quoted(" like ");
    case sql::FilterOp::kNotLike:
      return quoted(" not like ");
    case sql::FilterOp::kGlob:
      return quoted(" glob ");
    case sql::FilterOp::kIn:
      return c + " in " + format::ToJsonText(list);
    case sql::FilterOp::kNotIn:
      return c + " not in " + format::ToJsonText(list);
    case sql::FilterOp::kDate:
      return "\"" + c + "\" is on date " + v;
    case sql::FilterOp::kIsNull:
      return c + " is null";
    case sql::FilterOp::kNotNull:
      return c + " is not null";
    case sql::FilterOp::kIsBlank:
      return c + " is blank";
    case sql::FilterOp::kNotBlank:
      return c + " is not blank";
  }
  return c;
}

// Column names filters may use: the table's columns, and rowid where the table has one.
sql::ColumnLookup LookupFor(const db::TableInfo& table) {
  return [&table](std::string_view name) -> std::optional<sql::Identifier> {
    if (table.FindColumn(name)) return sql::Identifier::FromSchema(std::string(name));
    if (name == "rowid" && !table.is_view() && !table.without_rowid) {
      return sql::Identifier::FromSchema("rowid");
    }
    return std::nullopt;
  };
}

Status AddColumnFilters(const Request& request, const db::TableInfo& table, TableFilters& out,
                        std::vector<std::string>& human) {
  // Arguments that start with "_" and contain no "__" are special, not filters; the rest
  // are applied in sorted (key, value) order, as Datasette sorts them.
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [k, v] : request.args) {
    if (k.starts_with("_") && k.find("__") == std::string::npos) continue;
    pairs.emplace_back(k, v);
  }
  std::sort(pairs.begin(), pairs.end());
  sql::Identifier table_id = sql::Identifier::FromSchema(table.name);
  sql::ColumnLookup lookup = LookupFor(table);
  for (const auto& [key, value] : pairs) {
    size_t split = key.rfind("__");
    std::string column = split == std::string::npos ? key : key.substr(0, split);
    std::string op_key = split == std::string::npos ? "exact" : key.substr(split + 2);
    std::optional<sql::FilterOp> op = sql::FilterOpByKey(op_key);
    if (!op) continue;  // unknown operators are ignored
    sql::FilterSpec spec{column, *op, value, {}};
    JsonValue list;
    if (*op == sql::FilterOp::kIn || *op == sql::FilterOp::kNotIn) {
      ALM_ASSIGN_OR_RETURN(list, SplitInValue(value));
      for (const JsonValue& item : list.as_array()) spec.list.push_back(JsonScalarToValue(item));
    }
    ALM_ASSIGN_OR_RETURN(sql::Query clause, sql::BuildFilterClause(spec, table_id, lookup));
    out.where.push_back(std::move(clause));
    out.applied.push_back({column, op_key, value});
    human.push_back(HumanClause(column, *op, value, list));
  }
  return Status::Ok();
}

Status AddWhereFragments(const Instance& instance, const Request& request,
                         const std::string& database, TableFilters& out) {
  std::vector<std::string> wheres = request.Args("_where");
  if (wheres.empty()) return Status::Ok();
  if (!instance.permissions.Allowed(request.actor, auth::Action::kExecuteSql,
                                    auth::Resource::Database(database))) {
    return PermissionDenied("_where= is not allowed");
  }
  for (const std::string& text : wheres) {
    ALM_ASSIGN_OR_RETURN(sql::WhereFragment fragment, sql::WhereFragment::Check(text));
    sql::QueryBuilder b;
    b.Add(fragment);
    out.where.push_back(std::move(b).Build());
    out.extra_wheres.emplace_back(text, PathWithRemovedPairs(request, {{"_where", text}}));
  }
  return Status::Ok();
}

Status AddSearch(const Instance& instance, const Request& request, const ResolvedTable& resolved,
                 const config::TableOptions& options, TableFilters& out) {
  const db::TableInfo& table = *resolved.table;
  std::optional<std::string> fts_name;
  // An index named in the URL must be one the actor may view (the table's own may be private).
  bool named_in_url = false;
  if (const std::string* arg = request.Arg("_fts_table"); arg && !arg->empty()) {
    fts_name = *arg;
    named_in_url = true;
  }
  if (!fts_name) fts_name = options.fts_table;
  if (!fts_name) fts_name = table.fts_table;
  std::string pk_name = "rowid";
  if (const std::string* arg = request.Arg("_fts_pk")) {
    pk_name = *arg;
  } else if (options.fts_pk) {
    pk_name = *options.fts_pk;
  }
  out.supports_search = fts_name.has_value();

  // ?_search= and ?_search_<column>= (not _searchmode), first value of each key.
  std::vector<std::pair<std::string, std::string>> args;
  for (const auto& arg : request.args) {
    const std::string& key = arg.first;
    if (!key.starts_with("_search") || key == "_searchmode") continue;
    bool seen =
        std::any_of(args.begin(), args.end(), [&](const auto& a) { return a.first == key; });
    if (!seen) args.push_back(arg);
  }
  if (!fts_name || args.empty()) return Status::Ok();

  const db::TableInfo* fts = resolved.schema->Find(*fts_name);
  if (fts && named_in_url && !CanViewTable(instance, request, resolved.db->name(), fts->name)) {
    fts = nullptr;
  }
  if (!fts) return InvalidArgument("Invalid _fts_table: " + *fts_name);
  if (pk_name != "rowid" && !table.FindColumn(pk_name)) {
    return InvalidArgument("Invalid _fts_pk: " + pk_name);
  }
  bool raw = options.searchmode && *options.searchmode == "raw";
  if (const std::string* mode = request.Arg("_searchmode")) {
    if (*mode == "raw") raw = true;
    if (*mode == "escaped") raw = false;
  }
  sql::Identifier pk = sql::Identifier::FromSchema(pk_name);
  sql::Identifier fts_id = sql::Identifier::FromSchema(fts->name);
  auto match = [&](const std::string& text) { return raw ? text : sql::EscapeFts(text); };

  auto plain =
      std::find_if(args.begin(), args.end(), [](const auto& a) { return a.first == "_search"; });
  if (plain != args.end()) {
    out.where.push_back(sql::SearchClause(pk, fts_id, std::nullopt, match(plain->second)));
    out.human_extra.push_back("search matches \"" + plain->second + "\"");
    out.search = plain->second;
    return Status::Ok();
  }
  for (const auto& [key, text] : args) {
    if (!key.starts_with("_search_")) continue;
    std::string column = key.substr(8);
    if (!fts->FindColumn(column)) return InvalidArgument("Cannot search by that column");
    out.where.push_back(
        sql::SearchClause(pk, fts_id, sql::Identifier::FromSchema(column), match(text)));
    out.human_extra.push_back("search column \"" + column + "\" matches \"" + text + "\"");
    out.search = text;
  }
  return Status::Ok();
}

Status AddThrough(const Instance& instance, const Request& request, const ResolvedTable& resolved,
                  TableFilters& out) {
  for (const std::string& through : request.Args("_through")) {
    Result<JsonValue> parsed = format::ParseJson(through);
    const JsonValue* t = parsed.ok() ? parsed->Find("table") : nullptr;
    const JsonValue* c = parsed.ok() ? parsed->Find("column") : nullptr;
    const JsonValue* v = parsed.ok() ? parsed->Find("value") : nullptr;
    if (!t || !c || !v || !t->is_string() || !c->is_string() || v->is_array() || v->is_object()) {
      return InvalidArgument("Invalid _through - needs a JSON object with table, column, value");
    }
    const db::TableInfo* other = resolved.schema->Find(t->as_string());
    // A table the actor may not view is not there for them.
    if (other && !CanViewTable(instance, request, resolved.db->name(), other->name)) {
      other = nullptr;
    }
    const db::ForeignKey* fk = nullptr;
    if (other) {
      for (const db::ForeignKey& candidate : other->outgoing) {
        if (candidate.other_table == resolved.table->name) {
          fk = &candidate;
          break;
        }
      }
    }
    if (!fk) return InvalidArgument("Invalid _through - could not find corresponding foreign key");
    if (!other->FindColumn(c->as_string())) {
      return InvalidArgument("Invalid _through - no such column: " + c->as_string());
    }
    std::string our_pk = fk->other_column;
    if (our_pk.empty())
      our_pk = resolved.table->primary_keys.size() == 1 ? resolved.table->primary_keys[0]
                                                        : std::string("rowid");
    out.where.push_back(sql::ThroughClause(
        sql::Identifier::FromSchema(our_pk), sql::Identifier::FromSchema(fk->column),
        sql::Identifier::FromSchema(other->name), sql::Identifier::FromSchema(c->as_string()),
        JsonScalarToValue(*v)));
    out.human_extra.push_back(other->name + "." + c->as_string() + " = \"" + JsonScalarText(*v) +
                              "\"");
  }
  return Status::Ok();
}

}  // namespace

Result<TableFilters> BuildTableFilters(const Instance& instance, const Request& request,
                                       const ResolvedTable& resolved,
                                       const config::TableOptions& options) {
  TableFilters out;
  std::vector<std::string> column_human;
  ALM_RETURN_IF_ERROR(AddColumnFilters(request, *resolved.table, out, column_human));
  ALM_RETURN_IF_ERROR(AddWhereFragments(instance, request, resolved.db->name(), out));
  ALM_RETURN_IF_ERROR(AddSearch(instance, request, resolved, options, out));
  ALM_RETURN_IF_ERROR(AddThrough(instance, request, resolved, out));
  out.human_extra.insert(out.human_extra.end(), column_human.begin(), column_human.end());
  return out;
}

std::string HumanDescription(const TableFilters& filters) {
  const std::vector<std::string>& bits = filters.human_extra;
  if (bits.empty()) return "";
  std::string s;
  for (size_t i = 0; i + 1 < bits.size(); ++i) {
    if (i) s += ", ";
    s += bits[i];
  }
  if (bits.size() > 1) s += " and ";
  s += bits.back();
  return "where " + s;
}

std::optional<std::string> FilterRedirect(const Request& request) {
  auto first = [&](std::string_view key) -> std::string {
    const std::string* v = request.Arg(key);
    return v ? *v : std::string();
  };
  ArgChanges changes;
  std::string column = first("_filter_column");
  std::string op = first("_filter_op");
  std::string value = first("_filter_value");
  if (size_t split = op.find("__"); split != std::string::npos) {
    value = op.substr(split + 2);
    op = op.substr(0, split);
  }
  if (!column.empty()) changes.emplace_back(column + "__" + op, value);
  for (const char* key : {"_filter_column", "_filter_op", "_filter_value"}) {
    if (request.HasArg(key)) changes.emplace_back(key, std::nullopt);
  }
  static const std::regex numbered("^_filter_column_(\\d+)$");
  std::vector<std::string> seen;
  for (const auto& [key, unused] : request.args) {
    std::smatch m;
    if (!std::regex_match(key, m, numbered)) continue;
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    std::string n = m[1].str();
    std::string c = first(key);
    std::string o = first("_filter_op_" + n);
    if (o.empty()) o = "exact";
    std::string v = first("_filter_value_" + n);
    if (size_t split = o.find("__"); split != std::string::npos) {
      v = o.substr(split + 2);
      o = o.substr(0, split);
    }
    if (!c.empty()) changes.emplace_back(c + "__" + o, v);
    for (const std::string& k : {"_filter_column_" + n, "_filter_op_" + n, "_filter_value_" + n}) {
      changes.emplace_back(k, std::nullopt);
    }
  }
  if (!changes.empty()) return PathWithAddedArgs(request, changes);
  if (request.HasArg("_sort_by_desc")) {
    const std::string* sort = request.Arg("_sort");
    ArgChanges sort_changes{{"_sort_desc", sort ? std::optional(*sort) : std::nullopt},
                            {"_sort_by_desc", std::nullopt},
                            {"_sort", std::nullopt}};
    return PathWithAddedArgs(request, sort_changes);
  }
  return std::nullopt;
}

}  // namespace almanac::api
