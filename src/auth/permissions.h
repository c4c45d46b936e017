// PermissionEngine: decides whether an actor may perform an action on a resource, the way
// Datasette 1.0a37 does (datasette/utils/actions_sql.py + default_permissions/).
//
// Rules come from a list of RuleSources. Each source, asked about (actor, action), returns
// rules: allow or deny at a scope — global (no parent), a database (parent) or a table/query
// (parent + child) — and may also return an allowlist (a restriction) that narrows the result.
// The decision for one resource:
//   1. keep the rules whose scope contains the resource;
//   2. the most specific scope that has rules wins (table/query > database > global), and at
//      that scope a deny beats an allow; no rule at all means deny;
//   3. every source's restriction must also contain the resource (restrictions never grant);
//   4. the action's also_requires action (execute-sql needs view-database, ...) must be
//      allowed too, on the same resource.
//
// Built-in sources, in Datasette's order: token restrictions (`_r`), root (only with --root),
// the config (`permissions:` blocks, `allow`, `allow_sql` at every level) and the defaults
// (view actions unless --default-deny, execute-sql per default_allow_sql). Hosting mode adds
// its own sources (team membership, per-table public toggles) with AddSource(): implement
// RuleSource, return Rules for the actions you decide, and nothing for the others.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/action.h"
#include "auth/actor.h"
#include "config/config.h"
#include "config/settings.h"

namespace almanac::auth {

struct PermissionOptions {
  bool default_deny = false;  // --default-deny: view actions are no longer allowed by default
  bool root_enabled = false;  // --root: the actor {"id": "root"} may do everything
};

// One allow/deny rule. No parent: global; parent only: a database; both: a table or query.
struct Rule {
  std::optional<std::string> parent;
  std::optional<std::string> child;
  bool allow = false;
  std::string reason;
  std::string source;  // the RuleSource's name

  bool Matches(const Resource& resource) const;
  int depth() const { return child ? 2 : parent ? 1 : 0; }
};

// A source's restriction verdict for one resource.
struct RestrictionResult {
  bool allowed = false;
  std::string reason;
};

class RuleSource {
 public:
  virtual ~RuleSource() = default;
  virtual std::string name() const = 0;
  // Appends this source's rules for (actor, action). Rules need not match any one resource.
  virtual void AddRules(const MaybeActor& actor, Action action, std::vector<Rule>& out) const = 0;
  // nullopt: this source does not restrict (actor, action); else whether `resource` is in the
  // source's allowlist.
  virtual std::optional<RestrictionResult> Restrict(const MaybeActor& /*actor*/, Action /*action*/,
                                                    const Resource& /*resource*/) const {
    return std::nullopt;
  }
};

// Why a decision came out as it did (/-/check.json, the permissions debug page).
struct MatchedRule {
  Rule rule;
  bool decisive = false;
  std::string ignored_because;  // empty when decisive
};

struct Explanation {
  Action action = Action::kViewInstance;
  bool rule_allowed = false;
  bool restriction_allowed = true;
  int winning_depth = -1;                  // -1: no rule matched
  std::vector<MatchedRule> matched_rules;  // most specific first, denies first
  std::vector<std::pair<std::string, RestrictionResult>> restrictions;  // by source
  std::vector<Explanation> required_actions;
  bool allowed = false;

  std::string summary() const;
};

// "global", "parent" or "resource" for rule depths 0, 1, 2.
std::string_view ScopeName(int depth);

// One logged check, for the permissions debug page (the last 200 are kept).
struct PermissionCheck {
  int64_t when_ms = 0;  // Unix time in milliseconds
  MaybeActor actor;
  Action action = Action::kViewInstance;
  Resource resource;
  bool result = false;
};

class PermissionEngine {
 public:
  PermissionEngine(const config::Config& config, const config::Settings& settings,
                   PermissionOptions options);
  ~PermissionEngine();
  PermissionEngine(const PermissionEngine&) = delete;
  PermissionEngine& operator=(const PermissionEngine&) = delete;

  // Adds a rule source after the built-in ones (call before serving).
  void AddSource(std::unique_ptr<RuleSource> source);

  // True when `actor` may perform `action` on `resource`, including the action it also
  // requires (execute-sql needs view-database). Instance actions take Resource::Instance().
  bool Allowed(const MaybeActor& actor, Action action, const Resource& resource) const;
  // The same decision with its reasons.
  Explanation Explain(const MaybeActor& actor, Action action, const Resource& resource) const;
  // Every rule the sources give for (actor, action) (/-/rules.json).
  std::vector<Rule> Rules(const MaybeActor& actor, Action action) const;
  // The most recent checks, newest first.
  std::vector<PermissionCheck> RecentChecks() const;

  const PermissionOptions& options() const { return options_; }

 private:
  Explanation ExplainOne(const MaybeActor& actor, Action action, const Resource& resource) const;
  // ExplainOne's `allowed` alone: the same rules, without sorting them into an Explanation.
  bool DecideOne(const MaybeActor& actor, Action action, const Resource& resource) const;
  void Log(const MaybeActor& actor, Action action, const Resource& resource, bool result) const;

  // A logged check; consecutive checks by the same actor share one copy of it.
  struct LoggedCheck {
    int64_t when_ms = 0;
    std::shared_ptr<const MaybeActor> actor;
    Action action = Action::kViewInstance;
    Resource resource;
    bool result = false;
  };

  PermissionOptions options_;
  std::vector<std::unique_ptr<RuleSource>> sources_;
  mutable std::mutex log_mutex_;
  mutable std::vector<LoggedCheck> log_;  // a ring of kMaxLoggedChecks, oldest at log_next_
  mutable size_t log_next_ = 0;
};

}  // namespace almanac::auth
