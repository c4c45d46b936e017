#include "api/lookup.h"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "api/canned_queries.h"
#include "api/extras.h"
#include "api/labels.h"
#include "api/resolve.h"
#include "core/text.h"
#include "db/execute.h"

namespace almanac::api {
namespace {

using format::JsonValue;

constexpr size_t kMaxJumpMatches = 100;
constexpr size_t kAutocompleteRows = 10;
constexpr auto kAutocompleteTimeLimit = std::chrono::milliseconds(500);

struct JumpItem {
  std::string type;  // database, table, view, query
  std::string label;
  std::string url;
  std::string search_text;
};

// SQLite's `search_text LIKE '%w1%w2%'` (ASCII case-insensitive): the words in order.
bool ContainsWordsInOrder(const std::string& text, const std::vector<std::string>& words) {
  std::string haystack = AsciiLower(text);
  size_t at = 0;
  for (const std::string& word : words) {
    size_t found = haystack.find(AsciiLower(word), at);
    if (found == std::string::npos) return false;
    at = found + word.size();
  }
  return true;
}

int TypeOrder(const std::string& type) {
  if (type == "database") return 10;
  if (type == "table") return 20;
  if (type == "view") return 25;
  if (type == "query") return 30;
  return 50;
}

bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::string_view StripAsciiWhitespace(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Datasette's value_as_boolean: on, true, 1 (any case).
bool IsTrue(std::string_view value) {
  std::string v = AsciiLower(value);
  return v == "on" || v == "true" || v == "1";
}

std::vector<std::string> Words(std::string_view q) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < q.size()) {
    while (i < q.size() && IsAsciiSpace(q[i])) ++i;
    size_t start = i;
    while (i < q.size() && !IsAsciiSpace(q[i])) ++i;
    if (i > start) words.emplace_back(q.substr(start, i - start));
  }
  return words;
}

std::vector<JumpItem> VisibleItems(const Instance& instance, const Request& request) {
  const auto& permissions = instance.permissions;
  std::vector<JumpItem> items;
  for (const auto& db : instance.registry.all()) {
    const std::string& name = db->name();
    if (!permissions.Allowed(request.actor, auth::Action::kViewDatabase,
                             auth::Resource::Database(name))) {
      continue;
    }
    items.push_back({"database", name, instance.urls().Database(name), name});
    if (Result<ResolvedDatabase> resolved = ResolveDatabase(instance, name); resolved.ok()) {
      for (const db::TableInfo& t : resolved->schema->tables()) {
        if (!permissions.Allowed(request.actor, auth::Action::kViewTable,
                                 auth::Resource::Table(name, t.name))) {
          continue;
        }
        items.push_back({t.is_view() ? "view" : "table", name + ": " + t.name,
                         instance.urls().Table(name, t.name), name + " " + t.name});
      }
    }
    for (const CannedQuery& q : CannedQueries(instance, name)) {
      if (!permissions.Allowed(request.actor, auth::Action::kViewQuery,
                               auth::Resource::Table(name, q.name))) {
        continue;
      }
      items.push_back({"query", name + ": " + q.name, instance.urls().Table(name, q.name),
                       name + " " + q.name});
    }
  }
  return items;
}

}  // namespace

JsonValue JumpMatches(const Instance& instance, const Request& request) {
  const std::string* arg = request.Arg("q");
  std::string q = arg ? std::string(StripAsciiWhitespace(*arg)) : "";
  std::vector<std::string> words = Words(q);
  std::string q_lower = AsciiLower(q);
  std::vector<JumpItem> items;
  for (JumpItem& item : VisibleItems(instance, request)) {
    if (q.empty() || ContainsWordsInOrder(item.search_text, words)) items.push_back(item);
  }
  auto key = [&](const JumpItem& item) {
    std::string label = AsciiLower(item.label);
    int relevance = label == q_lower ? 0 : label.starts_with(q_lower) ? 1 : 2;
    return std::make_tuple(relevance, TypeOrder(item.type), item.label.size(), item.label);
  };
  std::stable_sort(items.begin(), items.end(),
                   [&](const JumpItem& a, const JumpItem& b) { return key(a) < key(b); });
  bool truncated = items.size() > kMaxJumpMatches;
  if (truncated) items.resize(kMaxJumpMatches);
  JsonValue::Array matches;
  for (const JumpItem& item : items) {
    matches.push_back(JsonValue::MakeObject({{"name", JsonValue::String(item.label)},
                                             {"url", JsonValue::String(item.url)},
                                             {"type", JsonValue::String(item.type)},
                                             {"description", JsonValue()}}));
  }
  return JsonValue::MakeObject({{"ok", JsonValue::Bool(true)},
                                {"matches", JsonValue::MakeArray(std::move(matches))},
                                {"truncated", JsonValue::Bool(truncated)}});
}

Result<JsonValue> TableAutocomplete(const Instance& instance, const Request& request,
                                    std::string_view database, std::string_view table) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table));
  const db::TableInfo& info = *resolved.table;
  if (info.is_view()) return InvalidArgument("Autocomplete is only available for tables");
  if (!instance.permissions.Allowed(request.actor, auth::Action::kViewTable,
                                    auth::Resource::Table(resolved.db->name(), info.name))) {
    return PermissionDenied("You do not have permission to view this table");
  }
  std::vector<std::string> pks = info.primary_keys;
  if (pks.empty()) pks.push_back("rowid");
  ALM_ASSIGN_OR_RETURN(std::optional<std::string> label,
                       LabelColumnForTable(instance, resolved, info));
  JsonValue empty =
      JsonValue::MakeObject({{"ok", JsonValue::Bool(true)}, {"rows", JsonValue::MakeArray()}});
  const std::string* q_arg = request.Arg("q");
  std::string q = q_arg ? *q_arg : "";
  const std::string* initial_arg = request.Arg("_initial");
  bool initial = q.empty() && initial_arg && !initial_arg->empty() && IsTrue(*initial_arg);
  if (q.empty() && !initial) return empty;

  std::vector<std::string> columns = pks;
  if (label && std::find(columns.begin(), columns.end(), *label) == columns.end()) {
    columns.push_back(*label);
  }
  auto quoted = [](const std::string& c) { return sql::Identifier::FromSchema(c).Quoted(); };
  std::string select;
  for (const std::string& c : columns) select += (select.empty() ? "" : ", ") + quoted(c);
  // Parameters: ?1 the query, ?2 the LIKE pattern (%q% with \ escaping).
  std::string like;
  for (char c : q) {
    if (c == '\\' || c == '%' || c == '_') like += '\\';
    like += c;
  }
  auto like_clause = [&](const std::string& c) { return quoted(c) + " like ?2 escape char(92)"; };
  std::string where;
  std::string order;
  if (initial) {
    where = "1 = 1";
    order = quoted(pks[0]) + " desc";
    for (size_t i = 1; i < pks.size(); ++i) order += ", " + quoted(pks[i]);
  } else {
    for (const std::string& c : columns) where += (where.empty() ? "" : " or ") + like_clause(c);
    std::vector<std::string> clauses;
    if (pks.size() == 1) {
      clauses.push_back("case when cast(" + quoted(pks[0]) + " as text) = ?1 then 0 else 1 end");
    }
    if (label) {
      clauses.push_back("case when " + like_clause(*label) + " then 0 else 1 end");
      clauses.push_back("case when " + like_clause(*label) + " then length(cast(" + quoted(*label) +
                        " as text)) end");
    } else {
      clauses.push_back("length(cast(" + quoted(pks[0]) + " as text))");
    }
    for (const std::string& pk : pks) clauses.push_back(quoted(pk));
    for (const std::string& clause : clauses) order += (order.empty() ? "" : ", ") + clause;
  }
  sql::Query query{"select " + select + " from " + quoted(info.name) + " where " + where +
                       " order by " + order + " limit " + std::to_string(kAutocompleteRows),
                   {}};
  if (!initial) query.params = {Value::Text(q), Value::Text("%" + like + "%")};
  db::Limits limits;
  limits.deadline = db::Clock::now() + kAutocompleteTimeLimit;
  Result<db::QueryResult> result = db::Execute(*resolved.conn, query, limits);
  if (!result.ok()) {
    if (result.status().code() == ErrorCode::kDeadlineExceeded) return empty;
    return result.status();
  }
  JsonValue::Array rows;
  for (size_t r = 0; r < result->rows.size(); ++r) {
    JsonValue::Object pk_values;
    for (size_t i = 0; i < pks.size(); ++i) {
      pk_values.emplace_back(pks[i], ValueToJson(result->rows.at(r, i)));
    }
    JsonValue row = JsonValue::MakeObject({{"pks", JsonValue::MakeObject(std::move(pk_values))}});
    if (label) {
      size_t at = std::find(columns.begin(), columns.end(), *label) - columns.begin();
      row.Set("label", ValueToJson(result->rows.at(r, at)));
    }
    rows.push_back(std::move(row));
  }
  return JsonValue::MakeObject(
      {{"ok", JsonValue::Bool(true)}, {"rows", JsonValue::MakeArray(std::move(rows))}});
}

}  // namespace almanac::api
