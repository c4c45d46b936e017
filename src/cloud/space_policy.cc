#include "cloud/space_policy.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

namespace almanac::cloud {
namespace {

namespace fs = std::filesystem;
using format::JsonValue;

constexpr std::string_view kPublicTables = "public_tables";
constexpr std::string_view kPublicDatabases = "public_databases";
constexpr std::string_view kPublicSql = "public_sql";
constexpr std::string_view kPublicQueries = "public_queries";
constexpr std::string_view kQueries = "queries";

Status Invalid(std::string why) {
  return InvalidArgument("The space's policy is not valid: " + std::move(why));
}

using Pairs = std::set<std::pair<std::string, std::string>>;

// "DATABASE/NAME" entries (the database name never has a slash; the name may).
Status ParsePairs(const JsonValue& document, std::string_view key, std::string_view what,
                  Pairs& out) {
  const JsonValue* list = document.Find(key);
  if (!list) return Status::Ok();
  if (!list->is_array()) return Invalid(std::string(key) + " is not a list");
  for (const JsonValue& entry : list->as_array()) {
    std::string_view text = entry.is_string() ? std::string_view(entry.as_string()) : "";
    size_t slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) {
      return Invalid("each public " + std::string(what) + " is a \"DATABASE/" +
                     std::string(what == "table" ? "TABLE" : "QUERY") + "\" string");
    }
    out.insert({std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))});
  }
  return Status::Ok();
}

Status ParseNames(const JsonValue& document, std::string_view key, std::set<std::string>& out) {
  const JsonValue* list = document.Find(key);
  if (!list) return Status::Ok();
  if (!list->is_array()) return Invalid(std::string(key) + " is not a list");
  for (const JsonValue& entry : list->as_array()) {
    if (!entry.is_string() || entry.as_string().empty() ||
        entry.as_string().find('/') != std::string::npos) {
      return Invalid(std::string(key) + " lists database names");
    }
    out.insert(entry.as_string());
  }
  return Status::Ok();
}

// {"DATABASE": {"NAME": {"sql": "...", "title": "...", "description": "..."}}}: read-only
// queries (a saved query never writes: "write" is refused).
Status CheckQueries(const JsonValue& document) {
  const JsonValue* databases = document.Find(kQueries);
  if (!databases) return Status::Ok();
  if (!databases->is_object()) return Invalid("queries is not an object of databases");
  for (const auto& [database, queries] : databases->as_object()) {
    if (database.empty() || database.find('/') != std::string::npos || !queries.is_object()) {
      return Invalid("queries." + database + " is not an object of queries");
    }
    for (const auto& [name, query] : queries.as_object()) {
      const JsonValue* sql = query.is_object() ? query.Find("sql") : nullptr;
      if (name.empty() || !sql || !sql->is_string()) {
        return Invalid("queries." + database + "." + name + " has no \"sql\"");
      }
      if (query.Find("write")) {
        return Invalid("queries." + database + "." + name + ": a space's queries only read");
      }
    }
  }
  return Status::Ok();
}

void WritePairs(JsonValue& document, std::string_view key, const Pairs& pairs) {
  JsonValue::Array list;
  for (const auto& [db, name] : pairs) list.push_back(JsonValue::String(db + "/" + name));
  document.Set(std::string(key), JsonValue::MakeArray(std::move(list)));
}

void WriteNames(JsonValue& document, std::string_view key, const std::set<std::string>& names) {
  JsonValue::Array list;
  for (const std::string& name : names) list.push_back(JsonValue::String(name));
  document.Set(std::string(key), JsonValue::MakeArray(std::move(list)));
}

}  // namespace

bool SpacePolicy::IsPublic(std::string_view database, std::string_view table) const {
  return public_tables.contains({std::string(database), std::string(table)});
}

bool SpacePolicy::HasPublic() const {
  return !public_tables.empty() || !public_databases.empty() || !public_queries.empty();
}

void SpacePolicy::SetPublic(const std::string& database, const std::string& table, bool is_public) {
  if (is_public) {
    public_tables.insert({database, table});
  } else {
    public_tables.erase({database, table});
  }
  WritePairs(document, kPublicTables, public_tables);
}

void SpacePolicy::SetPublicDatabase(const std::string& database, bool is_public, bool sql) {
  if (is_public) {
    public_databases.insert(database);
  } else {
    public_databases.erase(database);
  }
  if (is_public && sql) {
    public_sql.insert(database);
  } else {
    public_sql.erase(database);
  }
  WriteNames(document, kPublicDatabases, public_databases);
  WriteNames(document, kPublicSql, public_sql);
}

void SpacePolicy::SetPublicQuery(const std::string& database, const std::string& query,
                                 bool is_public) {
  if (is_public) {
    public_queries.insert({database, query});
  } else {
    public_queries.erase({database, query});
  }
  WritePairs(document, kPublicQueries, public_queries);
}

const JsonValue* SpacePolicy::QueriesOf(std::string_view database) const {
  const JsonValue* databases = document.Find(kQueries);
  const JsonValue* queries = databases ? databases->Find(database) : nullptr;
  return queries && queries->is_object() && !queries->as_object().empty() ? queries : nullptr;
}

bool SpacePolicy::HasQuery(std::string_view database, std::string_view query) const {
  const JsonValue* queries = QueriesOf(database);
  return queries && queries->Find(query);
}

void SpacePolicy::SaveQuery(const std::string& database, const std::string& query,
                            const std::string& sql, const std::string& title,
                            const std::string& description) {
  JsonValue saved = JsonValue::MakeObject({{"sql", JsonValue::String(sql)}});
  if (!title.empty()) saved.Set("title", JsonValue::String(title));
  if (!description.empty()) saved.Set("description", JsonValue::String(description));
  JsonValue databases =
      document.Find(kQueries) ? *document.Find(kQueries) : JsonValue::MakeObject();
  JsonValue queries =
      databases.Find(database) ? *databases.Find(database) : JsonValue::MakeObject();
  queries.Set(query, std::move(saved));
  databases.Set(database, std::move(queries));
  document.Set(std::string(kQueries), std::move(databases));
}

void SpacePolicy::RemoveQuery(const std::string& database, const std::string& query) {
  SetPublicQuery(database, query, false);
  const JsonValue* found = document.Find(kQueries);
  if (!found || !found->Find(database)) return;
  JsonValue databases = *found;
  JsonValue queries = *databases.Find(database);
  auto named = [](const std::string& name) {
    return
        [&name](const std::pair<std::string, JsonValue>& member) { return member.first == name; };
  };
  std::erase_if(queries.as_object(), named(query));
  if (queries.as_object().empty()) {
    std::erase_if(databases.as_object(), named(database));
  } else {
    databases.Set(database, std::move(queries));
  }
  document.Set(std::string(kQueries), std::move(databases));
}

Result<SpacePolicy> ParseSpacePolicy(std::string_view json) {
  ALM_ASSIGN_OR_RETURN(JsonValue document, format::ParseJson(json));
  if (!document.is_object()) return Invalid("it is not a JSON object");
  SpacePolicy policy;
  ALM_RETURN_IF_ERROR(ParsePairs(document, kPublicTables, "table", policy.public_tables));
  ALM_RETURN_IF_ERROR(ParsePairs(document, kPublicQueries, "query", policy.public_queries));
  ALM_RETURN_IF_ERROR(ParseNames(document, kPublicDatabases, policy.public_databases));
  ALM_RETURN_IF_ERROR(ParseNames(document, kPublicSql, policy.public_sql));
  ALM_RETURN_IF_ERROR(CheckQueries(document));
  for (const std::string& database : policy.public_sql) {
    if (!policy.public_databases.contains(database)) {
      return Invalid("public_sql names " + database +
                     ", which is not a public database (SQL would read its private tables)");
    }
  }
  policy.document = std::move(document);
  return policy;
}

std::string SpacePolicyJson(const SpacePolicy& policy) {
  return format::ToJsonText(policy.document) + "\n";
}

Result<SpacePolicy> ReadSpacePolicy(const std::string& directory) {
  std::string path = directory + "/" + std::string(kPolicyFileName);
  std::ifstream in(path);
  if (!in) return SpacePolicy();
  std::stringstream text;
  text << in.rdbuf();
  return ParseSpacePolicy(text.str());
}

Status WriteSpacePolicy(const std::string& directory, const SpacePolicy& policy) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec)
    return Status(ErrorCode::kUnavailable, "Cannot create " + directory + ": " + ec.message());
  ::chmod(directory.c_str(), 0755);
  std::string path = directory + "/" + std::string(kPolicyFileName);
  std::string temporary = path + ".tmp";
  std::string text = SpacePolicyJson(policy);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
  if (fd < 0) {
    return Status(ErrorCode::kUnavailable,
                  "Cannot write " + temporary + ": " + std::strerror(errno));
  }
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                 ::fchmod(fd, 0444) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(temporary.c_str());
    return Status(ErrorCode::kUnavailable, "Cannot write " + path + ": " + std::strerror(error));
  }
  return Status::Ok();
}

SpacePolicyFile::SpacePolicyFile(std::string path, std::chrono::milliseconds check_interval)
    : path_(std::move(path)),
      check_interval_(check_interval),
      current_(std::make_shared<const SpacePolicy>()) {}

std::shared_ptr<const SpacePolicy> SpacePolicyFile::Current() {
  std::lock_guard lock(mutex_);
  CheckLocked();
  return current_;
}

uint64_t SpacePolicyFile::Generation() {
  std::lock_guard lock(mutex_);
  CheckLocked();
  return generation_;
}

void SpacePolicyFile::CheckLocked() {
  auto now = std::chrono::steady_clock::now();
  if (checked_ == std::chrono::steady_clock::time_point{} || now - checked_ >= check_interval_) {
    checked_ = now;
    Reload();
  }
}

void SpacePolicyFile::Reload() {
  struct stat st {};
  FileIdentity identity;
  if (::stat(path_.c_str(), &st) == 0) {
    identity = {st.st_dev, st.st_ino, st.st_size,
                int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec};
  }
  if (identity == seen_) return;
  seen_ = identity;
  if (identity.size < 0) {  // no file: nothing is public
    current_ = std::make_shared<const SpacePolicy>();
    ++generation_;
    return;
  }
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  Result<SpacePolicy> policy = ParseSpacePolicy(text.str());
  if (!policy.ok()) {
    spdlog::warn("{}: {} (the previous policy stays in force)", path_, policy.status().message());
    return;
  }
  current_ = std::make_shared<const SpacePolicy>(std::move(policy).value());
  ++generation_;
}

namespace {

class SpacePolicySource : public auth::RuleSource {
 public:
  explicit SpacePolicySource(std::shared_ptr<SpacePolicyFile> file) : file_(std::move(file)) {}
  std::string name() const override { return "space_policy"; }
  void AddRules(const auth::MaybeActor&, auth::Action action,
                std::vector<auth::Rule>& out) const override {
    if (action != auth::Action::kViewTable && action != auth::Action::kViewDatabase &&
        action != auth::Action::kViewQuery && action != auth::Action::kExecuteSql) {
      return;
    }
    std::shared_ptr<const SpacePolicy> policy = file_->Current();
    if (action == auth::Action::kExecuteSql) {
      for (const std::string& database : policy->public_sql) {
        out.push_back({database, std::nullopt, true, "SQL in a public database", name()});
      }
      return;
    }
    for (const std::string& database : policy->public_databases) {
      out.push_back({database, std::nullopt, true, "a public database of the space", name()});
    }
    if (action == auth::Action::kViewTable) {
      for (const auto& [database, table] : policy->public_tables) {
        out.push_back({database, table, true, "a public table of the space", name()});
      }
    } else if (action == auth::Action::kViewQuery) {
      for (const auto& [database, query] : policy->public_queries) {
        out.push_back({database, query, true, "a public query of the space", name()});
      }
    }
  }

 private:
  std::shared_ptr<SpacePolicyFile> file_;
};

}  // namespace

std::unique_ptr<auth::RuleSource> MakeSpacePolicySource(std::shared_ptr<SpacePolicyFile> file) {
  return std::make_unique<SpacePolicySource>(std::move(file));
}

}  // namespace almanac::cloud
