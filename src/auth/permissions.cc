#include "auth/permissions.h"

#include <algorithm>
#include <chrono>

#include "auth/rule_sources.h"

namespace almanac::auth {
namespace {

constexpr size_t kMaxLoggedChecks = 200;

}  // namespace

bool Rule::Matches(const Resource& resource) const {
  if (parent && (resource.database.empty() || *parent != resource.database)) return false;
  if (child && (resource.child.empty() || *child != resource.child)) return false;
  return true;
}

std::string_view ScopeName(int depth) {
  switch (depth) {
    case 2:
      return "resource";
    case 1:
      return "parent";
    default:
      return "global";
  }
}

std::string Explanation::summary() const {
  for (const Explanation& required : required_actions) {
    if (!required.allowed) {
      return "Denied because " + std::string(Info(action).name) + " also requires " +
             std::string(Info(required.action).name) + ", which was denied.";
    }
  }
  if (matched_rules.empty()) {
    return "Denied because no permission rule matched this actor and resource.";
  }
  std::string scope(ScopeName(winning_depth));
  if (!rule_allowed) {
    return "Denied by a " + scope +
           "-level rule. Deny rules take precedence over allow rules at the same scope.";
  }
  if (!restriction_allowed) {
    return "Denied because the resource is not included in the actor's restrictions.";
  }
  return "Allowed by the matching " + scope + "-level rule.";
}

PermissionEngine::PermissionEngine(const config::Config& config, const config::Settings& settings,
                                   PermissionOptions options)
    : options_(options) {
  sources_.push_back(MakeRestrictionsSource());
  sources_.push_back(MakeRootSource(options.root_enabled));
  sources_.push_back(MakeConfigSource(config));
  sources_.push_back(MakeDefaultsSource(settings, options.default_deny));
}

PermissionEngine::~PermissionEngine() = default;

void PermissionEngine::AddSource(std::unique_ptr<RuleSource> source) {
  sources_.push_back(std::move(source));
}

std::vector<Rule> PermissionEngine::Rules(const MaybeActor& actor, Action action) const {
  std::vector<Rule> rules;
  for (const auto& source : sources_) source->AddRules(actor, action, rules);
  return rules;
}

Explanation PermissionEngine::ExplainOne(const MaybeActor& actor, Action action,
                                         const Resource& resource) const {
  Explanation e;
  e.action = action;
  for (Rule& rule : Rules(actor, action)) {
    if (rule.Matches(resource)) e.matched_rules.push_back({std::move(rule), false, {}});
  }
  std::stable_sort(e.matched_rules.begin(), e.matched_rules.end(),
                   [](const MatchedRule& a, const MatchedRule& b) {
                     if (a.rule.depth() != b.rule.depth()) return a.rule.depth() > b.rule.depth();
                     if (a.rule.allow != b.rule.allow) return !a.rule.allow;
                     if (a.rule.source != b.rule.source) return a.rule.source < b.rule.source;
                     return a.rule.reason < b.rule.reason;
                   });
  if (!e.matched_rules.empty()) {
    e.winning_depth = e.matched_rules.front().rule.depth();
    e.rule_allowed = true;
    for (const MatchedRule& m : e.matched_rules) {
      if (m.rule.depth() == e.winning_depth && !m.rule.allow) e.rule_allowed = false;
    }
  }
  for (MatchedRule& m : e.matched_rules) {
    if (m.rule.depth() != e.winning_depth) {
      m.ignored_because = "A more specific rule matched";
    } else if (!e.rule_allowed && m.rule.allow) {
      m.ignored_because = "A deny rule matched at the same scope";
    } else {
      m.decisive = true;
    }
  }
  for (const auto& source : sources_) {
    if (std::optional<RestrictionResult> r = source->Restrict(actor, action, resource)) {
      e.restriction_allowed = e.restriction_allowed && r->allowed;
      e.restrictions.emplace_back(source->name(), std::move(*r));
    }
  }
  e.allowed = e.rule_allowed && e.restriction_allowed;
  return e;
}

Explanation PermissionEngine::Explain(const MaybeActor& actor, Action action,
                                      const Resource& resource) const {
  Explanation e = ExplainOne(actor, action, resource);
  if (std::optional<Action> required = Info(action).also_requires) {
    e.required_actions.push_back(Explain(actor, *required, resource));
    e.allowed = e.allowed && e.required_actions.back().allowed;
  }
  return e;
}

bool PermissionEngine::DecideOne(const MaybeActor& actor, Action action,
                                 const Resource& resource) const {
  // ExplainOne's rules: the most specific scope with a matching rule wins, a deny there beats
  // an allow, no matching rule denies; every restriction must allow too. (The rules' memory is
  // kept per thread: a page makes several checks.)
  thread_local std::vector<Rule> rules;
  rules.clear();
  for (const auto& source : sources_) source->AddRules(actor, action, rules);
  int winning_depth = -1;
  bool rule_allowed = false;
  for (const Rule& rule : rules) {
    if (!rule.Matches(resource)) continue;
    int depth = rule.depth();
    if (depth > winning_depth) {
      winning_depth = depth;
      rule_allowed = rule.allow;
    } else if (depth == winning_depth) {
      rule_allowed = rule_allowed && rule.allow;
    }
  }
  rules.clear();
  if (!rule_allowed) return false;
  for (const auto& source : sources_) {
    std::optional<RestrictionResult> r = source->Restrict(actor, action, resource);
    if (r && !r->allowed) return false;
  }
  return true;
}

bool PermissionEngine::Allowed(const MaybeActor& actor, Action action,
                               const Resource& resource) const {
  bool result = DecideOne(actor, action, resource);
  if (result) {
    if (std::optional<Action> required = Info(action).also_requires) {
      result = Allowed(actor, *required, resource);
    }
  }
  Log(actor, action, resource, result);
  return result;
}

void PermissionEngine::Log(const MaybeActor& actor, Action action, const Resource& resource,
                           bool result) const {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::lock_guard lock(log_mutex_);
  // The newest check's actor, shared when it is the same one (a page's checks all are).
  std::shared_ptr<const MaybeActor> shared;
  if (!log_.empty()) {
    const LoggedCheck& newest = log_[(log_next_ + log_.size() - 1) % log_.size()];
    const MaybeActor& last = *newest.actor;
    if (last.has_value() == actor.has_value() && (!actor || last->data == actor->data)) {
      shared = newest.actor;
    }
  }
  if (!shared) shared = std::make_shared<const MaybeActor>(actor);
  LoggedCheck check{now, std::move(shared), action, resource, result};
  if (log_.size() < kMaxLoggedChecks) {
    log_.push_back(std::move(check));
  } else {
    log_[log_next_] = std::move(check);
    log_next_ = (log_next_ + 1) % log_.size();
  }
}

std::vector<PermissionCheck> PermissionEngine::RecentChecks() const {
  std::lock_guard lock(log_mutex_);
  std::vector<PermissionCheck> out;
  out.reserve(log_.size());
  for (size_t i = log_.size(); i-- > 0;) {
    const LoggedCheck& check = log_[(log_next_ + i) % log_.size()];
    out.push_back({check.when_ms, *check.actor, check.action, check.resource, check.result});
  }
  return out;
}

}  // namespace almanac::auth
