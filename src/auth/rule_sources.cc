#include "auth/rule_sources.h"

namespace almanac::auth {
namespace {

using format::JsonValue;

// Python equality of two JSON scalars as actor_matches_allow compares them (1 == 1.0 == True).
bool PythonEqual(const JsonValue& a, const JsonValue& b) {
  auto numeric = [](const JsonValue& v) { return v.is_number() || v.is_bool(); };
  auto number = [](const JsonValue& v) {
    return v.is_bool() ? (v.as_bool() ? 1.0 : 0.0) : v.as_double();
  };
  if (numeric(a) && numeric(b)) return number(a) == number(b);
  return a == b;
}

bool ActionListed(const JsonValue* list, Action action) {
  if (!list || !list->is_array()) return false;
  const ActionInfo& info = Info(action);
  for (const JsonValue& item : list->as_array()) {
    if (item.is_string() && (item.as_string() == info.name || item.as_string() == info.abbr)) {
      return true;
    }
  }
  return false;
}

const JsonValue* Member(const JsonValue* object, std::string_view key) {
  return object && object->is_object() ? object->Find(key) : nullptr;
}

class RestrictionsSource : public RuleSource {
 public:
  std::string name() const override { return "actor_restrictions"; }
  void AddRules(const MaybeActor&, Action, std::vector<Rule>&) const override {}
  std::optional<RestrictionResult> Restrict(const MaybeActor& actor, Action action,
                                            const Resource& resource) const override {
    if (!actor || !actor->restrictions()) return std::nullopt;
    const JsonValue& r = *actor->restrictions();
    if (ActionListed(Member(&r, "a"), action)) return std::nullopt;
    bool allowed = RestrictionsAllow(r, action, resource);
    bool any = false;  // is the action listed anywhere at all?
    if (const JsonValue* d = Member(&r, "d"); d && d->is_object()) {
      for (const auto& [db, actions] : d->as_object()) any = any || ActionListed(&actions, action);
    }
    if (const JsonValue* t = Member(&r, "r"); t && t->is_object()) {
      for (const auto& [db, tables] : t->as_object()) {
        if (!tables.is_object()) continue;
        for (const auto& [name, actions] : tables.as_object()) {
          any = any || ActionListed(&actions, action);
        }
      }
    }
    std::string reason =
        !any      ? "actor restrictions: " + std::string(Info(action).name) + " not in allowlist"
        : allowed ? "Resource is included in this restriction allowlist"
                  : "Resource is not included in this restriction allowlist";
    return RestrictionResult{allowed, std::move(reason)};
  }
};

class RootSource : public RuleSource {
 public:
  explicit RootSource(bool enabled) : enabled_(enabled) {}
  std::string name() const override { return "root"; }
  void AddRules(const MaybeActor& actor, Action, std::vector<Rule>& out) const override {
    if (!enabled_ || !actor) return;
    const JsonValue* id = actor->data.Find("id");
    if (id && id->is_string() && id->as_string() == "root") {
      out.push_back({std::nullopt, std::nullopt, true, "root user", name()});
    }
  }

 private:
  bool enabled_;
};

class DefaultsSource : public RuleSource {
 public:
  DefaultsSource(const config::Settings& settings, bool default_deny)
      : settings_(settings), default_deny_(default_deny) {}
  std::string name() const override { return "defaults"; }
  void AddRules(const MaybeActor&, Action action, std::vector<Rule>& out) const override {
    if (action == Action::kExecuteSql && !settings_.default_allow_sql) {
      out.push_back({std::nullopt, std::nullopt, false, "default_allow_sql is false", name()});
    }
    if (default_deny_) return;
    switch (action) {
      case Action::kViewInstance:
      case Action::kViewDatabase:
      case Action::kViewDatabaseDownload:
      case Action::kViewTable:
      case Action::kViewQuery:
      case Action::kExecuteSql:
        out.push_back({std::nullopt, std::nullopt, true,
                       "default allow for " + std::string(Info(action).name), name()});
        break;
      default:
        break;
    }
  }

 private:
  const config::Settings& settings_;
  bool default_deny_;
};

}  // namespace

bool ActorMatchesAllow(const MaybeActor& actor, const JsonValue* allow) {
  if (!allow || allow->is_null()) return true;
  if (allow->is_bool()) return allow->as_bool();
  if (!allow->is_object()) return false;
  if (!actor) {
    const JsonValue* u = allow->Find("unauthenticated");
    if (u && u->is_bool() && u->as_bool()) return true;
  }
  if (actor && !actor->data.is_object()) return false;
  for (const auto& [key, values] : allow->as_object()) {
    const JsonValue* actor_value = actor ? actor->data.Find(key) : nullptr;
    if (values.is_string() && values.as_string() == "*" && actor_value) return true;
    if (!actor_value || actor_value->is_null()) continue;
    JsonValue::Array wanted = values.is_array() ? values.as_array() : JsonValue::Array{values};
    JsonValue::Array have =
        actor_value->is_array() ? actor_value->as_array() : JsonValue::Array{*actor_value};
    for (const JsonValue& h : have) {
      for (const JsonValue& w : wanted) {
        if (PythonEqual(h, w)) return true;
      }
    }
  }
  return false;
}

bool RestrictionsAllow(const JsonValue& r, Action action, const Resource& resource) {
  if (ActionListed(Member(&r, "a"), action)) return true;
  if (resource.database.empty()) return false;
  if (ActionListed(Member(Member(&r, "d"), resource.database), action)) return true;
  if (resource.child.empty()) return false;
  return ActionListed(Member(Member(Member(&r, "r"), resource.database), resource.child), action);
}

std::unique_ptr<RuleSource> MakeRestrictionsSource() {
  return std::make_unique<RestrictionsSource>();
}

std::unique_ptr<RuleSource> MakeRootSource(bool root_enabled) {
  return std::make_unique<RootSource>(root_enabled);
}

std::unique_ptr<RuleSource> MakeDefaultsSource(const config::Settings& settings,
                                               bool default_deny) {
  return std::make_unique<DefaultsSource>(settings, default_deny);
}

}  // namespace almanac::auth
