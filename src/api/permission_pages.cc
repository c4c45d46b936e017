#include "api/permission_pages.h"

#include <algorithm>
#include <charconv>

#include "api/canned_queries.h"
#include "api/resolve.h"
#include "api/table.h"

namespace almanac::api {
namespace {

using format::JsonValue;

JsonValue NameOrNull(const std::string& s) {
  return s.empty() ? JsonValue() : JsonValue::String(s);
}

std::string ResourcePath(const std::string& parent, const std::string& child) {
  if (parent.empty()) return "/";
  if (child.empty()) return "/" + parent;
  return "/" + parent + "/" + child;
}

Status RequireDebug(const Instance& instance, const Request& request) {
  return Require(instance, request, auth::Action::kPermissionsDebug, auth::Resource::Instance(),
                 "permissions-debug");
}

// Python's parse_size_limit(value, default=50, maximum=200).
Result<int64_t> PageSize(const Request& request) {
  return ParsePageSize(request.Arg("_size"), std::nullopt, 50, 200);
}

Result<int64_t> PageNumber(const Request& request) {
  const std::string* value = request.Arg("_page");
  if (!value) return 1;
  int64_t page = 0;
  auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), page);
  if (ec != std::errc() || ptr != value->data() + value->size() || page < 1) {
    return InvalidArgument("_page must be a positive integer");
  }
  return page;
}

Result<auth::Action> KnownAction(const Request& request) {
  const std::string* name = request.Arg("action");
  if (!name || name->empty()) return InvalidArgument("action parameter is required");
  std::optional<auth::Action> action = auth::ActionByName(*name);
  if (!action || auth::Info(*action).name != *name) return NotFound("Unknown action: " + *name);
  return *action;
}

// Adds "next_url" / "previous_url" to a paged response.
void AddPageLinks(JsonValue& data, const Request& request, int64_t page, int64_t size,
                  int64_t total) {
  auto url = [&](int64_t number) {
    QueryArgs pairs;
    for (const auto& [k, v] : request.args) {
      if (k != "_page" && k != "_size") pairs.emplace_back(k, v);
    }
    pairs.emplace_back("_page", std::to_string(number));
    pairs.emplace_back("_size", std::to_string(size));
    return request.path + "?" + EncodeQueryString(pairs);
  };
  if (total > (page - 1) * size + size) data.Set("next_url", JsonValue::String(url(page + 1)));
  if (page > 1) data.Set("previous_url", JsonValue::String(url(page - 1)));
}

JsonValue ActorId(const auth::MaybeActor& actor) {
  if (!actor) return JsonValue();
  const JsonValue* id = actor->data.Find("id");
  return id ? *id : JsonValue();
}

// The answer of the allowed-resources and rules pages: ok, action, actor_id, one page of
// `items` (of `total`) and the links to the pages around it.
JsonValue PagedItems(const Request& request, auth::Action action, int64_t page, int64_t size,
                     int64_t total, JsonValue::Array items) {
  JsonValue data = JsonValue::MakeObject({
      {"ok", JsonValue::Bool(true)},
      {"action", JsonValue::String(std::string(auth::Info(action).name))},
      {"actor_id", ActorId(request.actor)},
      {"page", JsonValue::Int(page)},
      {"page_size", JsonValue::Int(size)},
      {"total", JsonValue::Int(total)},
      {"items", JsonValue::MakeArray(std::move(items))},
  });
  AddPageLinks(data, request, page, size, total);
  return data;
}

}  // namespace

QueryArgs ParseForm(const std::string& body) { return ParseQueryString(body); }

JsonValue ExplanationJson(const auth::Explanation& e) {
  JsonValue::Array rules;
  for (const auth::MatchedRule& m : e.matched_rules) {
    rules.push_back(JsonValue::MakeObject({
        {"scope", JsonValue::String(std::string(auth::ScopeName(m.rule.depth())))},
        {"effect", JsonValue::String(m.rule.allow ? "allow" : "deny")},
        {"source", JsonValue::String(m.rule.source)},
        {"reason", JsonValue::String(m.rule.reason)},
        {"decisive", JsonValue::Bool(m.decisive)},
        {"ignored_because",
         m.ignored_because.empty() ? JsonValue() : JsonValue::String(m.ignored_because)},
    }));
  }
  JsonValue::Array restrictions;
  for (const auto& [source, r] : e.restrictions) {
    restrictions.push_back(JsonValue::MakeObject({{"source", JsonValue::String(source)},
                                                  {"allowed", JsonValue::Bool(r.allowed)},
                                                  {"reason", JsonValue::String(r.reason)}}));
  }
  JsonValue::Array required;
  for (const auth::Explanation& r : e.required_actions) required.push_back(ExplanationJson(r));
  return JsonValue::MakeObject({
      {"action", JsonValue::String(std::string(auth::Info(e.action).name))},
      {"rule_allowed", JsonValue::Bool(e.rule_allowed)},
      {"restriction_allowed", JsonValue::Bool(e.restriction_allowed)},
      {"winning_scope", e.winning_depth < 0
                            ? JsonValue()
                            : JsonValue::String(std::string(auth::ScopeName(e.winning_depth)))},
      {"matched_rules", JsonValue::MakeArray(std::move(rules))},
      {"restrictions", JsonValue::MakeArray(std::move(restrictions))},
      {"required_actions", JsonValue::MakeArray(std::move(required))},
      {"allowed", JsonValue::Bool(e.allowed)},
      {"summary", JsonValue::String(e.summary())},
  });
}

JsonValue CheckJson(const Instance& instance, const auth::MaybeActor& actor, auth::Action action,
                    const std::string* parent, const std::string* child) {
  // Datasette treats empty strings like missing values here.
  std::string p = parent ? *parent : "";
  std::string c = child ? *child : "";
  auth::Resource resource;
  switch (auth::Info(action).level) {
    case auth::ResourceLevel::kInstance:
      break;
    case auth::ResourceLevel::kDatabase:
      resource = auth::Resource::Database(p);
      break;
    default:
      resource = auth::Resource::Table(p, c);
      break;
  }
  bool allowed = instance.permissions.Allowed(actor, action, resource);
  // The explanation looks at the resource as given, whatever the action's level.
  auth::Explanation explanation =
      instance.permissions.Explain(actor, action, auth::Resource::Table(p, c));
  JsonValue data = JsonValue::MakeObject({
      {"ok", JsonValue::Bool(true)},
      {"unstable", JsonValue::String(std::string(kUnstableApiMessage))},
      {"action", JsonValue::String(std::string(auth::Info(action).name))},
      {"allowed", JsonValue::Bool(allowed)},
      {"actor", actor ? actor->data : JsonValue()},
      {"resource", JsonValue::MakeObject({{"parent", NameOrNull(p)},
                                          {"child", NameOrNull(c)},
                                          {"path", JsonValue::String(ResourcePath(p, c))}})},
      {"explanation", ExplanationJson(explanation)},
  });
  if (actor && actor->data.Find("id")) data.Set("actor_id", *actor->data.Find("id"));
  return data;
}

Result<SpecialPage> CheckPage(const Instance& instance, const Request& request) {
  ALM_RETURN_IF_ERROR(RequireDebug(instance, request));
  const std::string* name = request.Arg("action");
  if (!name || name->empty()) return InvalidArgument("action parameter is required");
  auth::MaybeActor actor = request.actor;
  if (const std::string* actor_json = request.Arg("actor")) {
    Result<JsonValue> parsed = format::ParseJson(*actor_json);
    if (!parsed.ok()) {
      return InvalidArgument("Invalid actor JSON: " + parsed.status().message().substr(14));
    }
    if (parsed->is_null()) {
      actor.reset();
    } else if (!parsed->is_object()) {
      return InvalidArgument("actor must be a JSON object or null");
    } else {
      actor = auth::Actor{std::move(parsed).value()};
    }
  }
  std::optional<auth::Action> action = auth::ActionByName(*name);
  if (!action || auth::Info(*action).name != *name) return NotFound("Unknown action: " + *name);
  const std::string* parent = request.Arg("parent");
  const std::string* child = request.Arg("child");
  if (child && !child->empty() && (!parent || parent->empty())) {
    return InvalidArgument("parent is required when child is provided");
  }
  return SpecialPage{"Permission check", CheckJson(instance, actor, *action, parent, child)};
}

Result<SpecialPage> PermissionsDebugPost(const Instance& instance, const Request& request) {
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewInstance,
                              auth::Resource::Instance(), "view-instance"));
  ALM_RETURN_IF_ERROR(RequireDebug(instance, request));
  QueryArgs form = ParseForm(request.body);
  auto field = [&](std::string_view key) -> const std::string* {
    for (const auto& [k, v] : form) {
      if (k == key) return &v;
    }
    return nullptr;
  };
  const std::string* actor_json = field("actor");
  const std::string* permission = field("permission");
  if (!actor_json || !permission) return InvalidArgument("actor and permission are required");
  Result<JsonValue> parsed = format::ParseJson(*actor_json);
  if (!parsed.ok()) return InvalidArgument(parsed.status().message());
  auth::MaybeActor actor;
  if (parsed->is_object()) actor = auth::Actor{std::move(parsed).value()};
  std::optional<auth::Action> action = auth::ActionByName(*permission);
  if (!action || auth::Info(*action).name != *permission) {
    return NotFound("Unknown action: " + *permission);
  }
  const std::string* parent = field("resource_1");
  const std::string* child = field("resource_2");
  if (child && !child->empty() && (!parent || parent->empty())) {
    return InvalidArgument("parent is required when child is provided");
  }
  return SpecialPage{"Permission check", CheckJson(instance, actor, *action, parent, child)};
}

std::vector<auth::Resource> ResourcesFor(const Instance& instance, auth::Action action) {
  std::vector<auth::Resource> out;
  auth::ResourceLevel level = auth::Info(action).level;
  if (level == auth::ResourceLevel::kInstance) return {auth::Resource::Instance()};
  for (const auto& db : instance.registry.all()) {
    const std::string& name = db->name();
    if (level == auth::ResourceLevel::kDatabase) {
      out.push_back(auth::Resource::Database(name));
    } else if (level == auth::ResourceLevel::kQuery) {
      for (const CannedQuery& q : CannedQueries(instance, name)) {
        out.push_back(auth::Resource::Table(name, q.name));
      }
    } else if (Result<ResolvedDatabase> resolved = ResolveDatabase(instance, name); resolved.ok()) {
      for (const db::TableInfo& t : resolved->schema->tables()) {
        out.push_back(auth::Resource::Table(name, t.name));
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const auth::Resource& a, const auth::Resource& b) {
    return std::tie(a.database, a.child) < std::tie(b.database, b.child);
  });
  return out;
}

Result<SpecialPage> AllowedPage(const Instance& instance, const Request& request) {
  bool debug = instance.permissions.Allowed(request.actor, auth::Action::kPermissionsDebug,
                                            auth::Resource::Instance());
  ALM_ASSIGN_OR_RETURN(auth::Action action, KnownAction(request));
  const std::string* parent = request.Arg("parent");
  const std::string* child = request.Arg("child");
  if (child && !child->empty() && (!parent || parent->empty())) {
    return InvalidArgument("parent must be provided when child is specified");
  }
  ALM_ASSIGN_OR_RETURN(int64_t page, PageNumber(request));
  ALM_ASSIGN_OR_RETURN(int64_t size, PageSize(request));
  JsonValue::Array items;
  for (const auth::Resource& resource : ResourcesFor(instance, action)) {
    if (parent && !parent->empty() && resource.database != *parent) continue;
    if (child && resource.child != *child) continue;
    auth::Explanation e = instance.permissions.Explain(request.actor, action, resource);
    if (!e.allowed) continue;
    JsonValue row = JsonValue::MakeObject({
        {"parent", NameOrNull(resource.database)},
        {"child", NameOrNull(resource.child)},
        {"resource", JsonValue::String(ResourcePath(resource.database, resource.child))},
    });
    if (debug) {
      JsonValue::Array reasons;
      for (const auth::MatchedRule& m : e.matched_rules) {
        if (m.decisive) reasons.push_back(JsonValue::String(m.rule.source + ": " + m.rule.reason));
      }
      row.Set("reason", JsonValue::MakeArray(std::move(reasons)));
    }
    items.push_back(std::move(row));
  }
  auto total = static_cast<int64_t>(items.size());
  JsonValue::Array paged;
  for (int64_t i = (page - 1) * size; i < total && i < page * size; ++i) {
    paged.push_back(std::move(items[static_cast<size_t>(i)]));
  }
  JsonValue data = PagedItems(request, action, page, size, total, std::move(paged));
  return SpecialPage{"Allowed resources", std::move(data)};
}

Result<SpecialPage> RulesPage(const Instance& instance, const Request& request) {
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewInstance,
                              auth::Resource::Instance(), "view-instance"));
  ALM_RETURN_IF_ERROR(RequireDebug(instance, request));
  ALM_ASSIGN_OR_RETURN(auth::Action action, KnownAction(request));
  ALM_ASSIGN_OR_RETURN(int64_t page, PageNumber(request));
  ALM_ASSIGN_OR_RETURN(int64_t size, PageSize(request));
  std::vector<auth::Rule> rules = instance.permissions.Rules(request.actor, action);
  // ORDER BY allow DESC, (parent IS NOT NULL), parent, child
  std::stable_sort(rules.begin(), rules.end(), [](const auth::Rule& a, const auth::Rule& b) {
    if (a.allow != b.allow) return a.allow;
    if (a.parent.has_value() != b.parent.has_value()) return !a.parent.has_value();
    return std::tie(a.parent, a.child) < std::tie(b.parent, b.child);
  });
  auto total = static_cast<int64_t>(rules.size());
  JsonValue::Array items;
  for (int64_t i = (page - 1) * size; i < total && i < page * size; ++i) {
    const auth::Rule& r = rules[static_cast<size_t>(i)];
    std::string parent = r.parent.value_or("");
    std::string child = r.child.value_or("");
    items.push_back(JsonValue::MakeObject({
        {"parent", NameOrNull(parent)},
        {"child", NameOrNull(child)},
        {"resource", JsonValue::String(ResourcePath(parent, child))},
        {"allow", JsonValue::Int(r.allow ? 1 : 0)},
        {"reason", JsonValue::String(r.reason)},
        {"source_plugin", JsonValue::String(r.source)},
    }));
  }
  JsonValue data = PagedItems(request, action, page, size, total, std::move(items));
  return SpecialPage{"Permission rules", std::move(data)};
}

std::vector<ViewableDatabase> ViewableDatabases(const Instance& instance,
                                                const auth::MaybeActor& actor) {
  std::vector<ViewableDatabase> out;
  for (const auth::Resource& db : ResourcesFor(instance, auth::Action::kViewDatabase)) {
    if (db.database == "_memory" ||
        !instance.permissions.Allowed(actor, auth::Action::kViewDatabase, db)) {
      continue;
    }
    out.push_back({db.database, {}});
  }
  for (const auth::Resource& t : ResourcesFor(instance, auth::Action::kViewTable)) {
    for (ViewableDatabase& db : out) {
      if (db.name == t.database &&
          instance.permissions.Allowed(actor, auth::Action::kViewTable, t)) {
        db.tables.push_back(t.child);
      }
    }
  }
  return out;
}

}  // namespace almanac::api
