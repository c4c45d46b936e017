// The config RuleSource (Datasette's default_permissions/config.py): `permissions:` blocks at
// the root, database, table and query level, and `allow` / `allow_sql` blocks.
#include <set>

#include "auth/rule_sources.h"

namespace almanac::auth {
namespace {

using format::JsonValue;
using Name = std::optional<std::string>;

const JsonValue* ObjectMember(const JsonValue* object, std::string_view key) {
  if (!object || !object->is_object()) return nullptr;
  const JsonValue* v = object->Find(key);
  return v && !v->is_null() ? v : nullptr;
}

bool Listed(const JsonValue* list, Action action) {
  if (!list || !list->is_array()) return false;
  for (const JsonValue& item : list->as_array()) {
    if (item.is_string() &&
        (item.as_string() == Info(action).name || item.as_string() == Info(action).abbr)) {
      return true;
    }
  }
  return false;
}

// One evaluation of the config for (actor, action).
class ConfigRules {
 public:
  ConfigRules(const JsonValue& config, const MaybeActor& actor, Action action,
              std::vector<Rule>& out)
      : config_(config), actor_(actor), action_(action), out_(out) {
    restrictions_ = actor ? actor->restrictions() : nullptr;
    if (restrictions_ && !restrictions_->is_object()) restrictions_ = nullptr;
    if (!restrictions_) return;
    if (const JsonValue* d = ObjectMember(restrictions_, "d")) {
      for (const auto& [db, actions] : d->as_object()) {
        if (Listed(&actions, action)) restricted_dbs_.insert(db);
      }
    }
    if (const JsonValue* r = ObjectMember(restrictions_, "r")) {
      for (const auto& [db, tables] : r->as_object()) {
        if (!tables.is_object()) continue;
        for (const auto& [table, actions] : tables.as_object()) {
          if (Listed(&actions, action)) {
            restricted_tables_.insert({db, table});
            restricted_dbs_.insert(db);
          }
        }
      }
    }
  }

  void Run() {
    PermissionsRule({}, {}, ObjectMember(&config_, "permissions"), "permissions for " + name());
    if (const JsonValue* dbs = ObjectMember(&config_, "databases"); dbs && dbs->is_object()) {
      for (const auto& [db, db_config] : dbs->as_object()) Database(db, db_config);
    }
    const JsonValue* allow = ObjectMember(&config_, "allow");
    switch (action_) {
      case Action::kViewInstance:
      case Action::kViewDatabase:
      case Action::kViewTable:
      case Action::kViewQuery:
        AllowBlockRule({}, {}, allow, "allow for " + name());
        break;
      case Action::kExecuteSql:
        AllowBlockRule({}, {}, ObjectMember(&config_, "allow_sql"), "allow_sql");
        break;
      default:
        break;
    }
  }

 private:
  std::string name() const { return std::string(Info(action_).name); }

  std::optional<bool> Evaluate(const JsonValue* block) const {
    if (!block) return std::nullopt;
    if (block->is_int() && (block->as_int() == 0 || block->as_int() == 1)) {
      return block->as_int() == 1;
    }
    return ActorMatchesAllow(actor_, block);
  }

  void Add(Name parent, Name child, bool allow, std::string reason) {
    out_.push_back({std::move(parent), std::move(child), allow, std::move(reason), "config"});
  }

  void PermissionsRule(Name parent, Name child, const JsonValue* block, const std::string& scope) {
    if (!block || !block->is_object()) return;
    std::optional<bool> result = Evaluate(ObjectMember(block, Info(action_).name));
    if (!result) return;
    Add(std::move(parent), std::move(child), *result,
        std::string("config ") + (*result ? "allow " : "deny ") + scope);
  }

  bool InRestrictionAllowlist(const Name& parent, const Name& child) const {
    if (!restrictions_) return true;
    if (Listed(ObjectMember(restrictions_, "a"), action_)) return true;
    if (parent) {
      if (Listed(ObjectMember(ObjectMember(restrictions_, "d"), *parent), action_)) return true;
      const JsonValue* tables = ObjectMember(ObjectMember(restrictions_, "r"), *parent);
      if (child) {
        if (Listed(ObjectMember(tables, *child), action_)) return true;
      } else if (tables && tables->is_object()) {
        for (const auto& [table, actions] : tables->as_object()) {
          if (Listed(&actions, action_)) return true;
        }
      }
      return false;
    }
    return !child && (!restricted_dbs_.empty() || !restricted_tables_.empty());
  }

  void AllowBlockRule(Name parent, Name child, const JsonValue* block, const std::string& scope) {
    if (!block || !InRestrictionAllowlist(parent, child)) return;
    bool allowed = Evaluate(block).value_or(false);
    Add(parent, child, allowed, std::string("config ") + (allowed ? "allow " : "deny ") + scope);
    // The restriction gate: a deny at a higher level also denies the restricted resources
    // below it, so a lower-level allow cannot reopen them for a restricted token.
    if (allowed || child || !restrictions_) return;
    std::string reason = "config deny " + scope + " (restriction gate)";
    ResourceLevel level = Info(action_).level;
    bool takes_parent = level != ResourceLevel::kInstance;
    bool takes_child = level == ResourceLevel::kTable || level == ResourceLevel::kQuery;
    if (!parent) {
      if (takes_parent) {
        for (const std::string& db : restricted_dbs_) Add(db, {}, false, reason);
      }
      if (takes_child) {
        for (const auto& [db, table] : restricted_tables_) Add(db, table, false, reason);
      }
    } else if (takes_child) {
      for (const auto& [db, table] : restricted_tables_) {
        if (db == *parent) Add(db, table, false, reason);
      }
    }
  }

  void Database(const std::string& db, const JsonValue& db_config) {
    if (!db_config.is_object()) return;
    PermissionsRule(db, {}, ObjectMember(&db_config, "permissions"),
                    "permissions for " + name() + " on " + db);
    if (const JsonValue* tables = ObjectMember(&db_config, "tables");
        tables && tables->is_object()) {
      for (const auto& [table, table_config] : tables->as_object()) {
        PermissionsRule(db, table, ObjectMember(&table_config, "permissions"),
                        "permissions for " + name() + " on " + db + "/" + table);
        if (action_ == Action::kViewTable) {
          AllowBlockRule(db, table, ObjectMember(&table_config, "allow"),
                         "allow for " + name() + " on " + db + "/" + table);
        }
      }
    }
    if (const JsonValue* queries = ObjectMember(&db_config, "queries");
        queries && queries->is_object()) {
      for (const auto& [query, query_config] : queries->as_object()) {
        if (!query_config.is_object()) continue;
        PermissionsRule(db, query, ObjectMember(&query_config, "permissions"),
                        "permissions for " + name() + " on " + db + "/" + query);
        if (action_ == Action::kViewQuery) {
          AllowBlockRule(db, query, ObjectMember(&query_config, "allow"),
                         "allow for " + name() + " on " + db + "/" + query);
        }
      }
    }
    const JsonValue* allow = ObjectMember(&db_config, "allow");
    switch (action_) {
      case Action::kViewDatabase:
      case Action::kViewTable:
      case Action::kViewQuery:
        AllowBlockRule(db, {}, allow, "allow for " + name() + " on " + db);
        break;
      case Action::kExecuteSql:
        AllowBlockRule(db, {}, ObjectMember(&db_config, "allow_sql"), "allow_sql for " + db);
        break;
      default:
        break;
    }
  }

  const JsonValue& config_;
  const MaybeActor& actor_;
  Action action_;
  std::vector<Rule>& out_;
  const JsonValue* restrictions_ = nullptr;
  std::set<std::string> restricted_dbs_;
  std::set<std::pair<std::string, std::string>> restricted_tables_;
};

class ConfigSource : public RuleSource {
 public:
  explicit ConfigSource(const config::Config& config) : config_(config) {}
  std::string name() const override { return "config"; }
  void AddRules(const MaybeActor& actor, Action action, std::vector<Rule>& out) const override {
    ConfigRules(config_.config(), actor, action, out).Run();
  }

 private:
  const config::Config& config_;
};

}  // namespace

std::unique_ptr<RuleSource> MakeConfigSource(const config::Config& config) {
  return std::make_unique<ConfigSource>(config);
}

}  // namespace almanac::auth
