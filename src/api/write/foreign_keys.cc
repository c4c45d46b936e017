// GET /<db>/-/foreign-key-targets and /<db>/<table>/-/foreign-key-suggestions: the tables a new
// foreign key could point at (those with a single-column primary key), and for an existing
// table, per column, the compatible targets — with the ones whose sampled values all exist.
#include <algorithm>
#include <chrono>
#include <set>
#include <tuple>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/write.h"
#include "core/text.h"
#include "db/execute.h"
#include "write/checks.h"

namespace almanac::api::write {
namespace {

constexpr int64_t kRowLimit = 500;
constexpr auto kSampleTimeLimit = std::chrono::milliseconds(50);
constexpr auto kTotalTimeLimit = std::chrono::milliseconds(200);

// Datasette's FOREIGN_KEY_TARGETS_SQL.
constexpr const char* kTargetsSql =
    "select m.name as fk_table, p.name as fk_column, case "
    "when upper(coalesce(p.type, '')) like '%INT%' then 'integer' "
    "when upper(coalesce(p.type, '')) like '%CHAR%' or upper(coalesce(p.type, '')) like "
    "'%CLOB%' or upper(coalesce(p.type, '')) like '%TEXT%' then 'text' "
    "when upper(coalesce(p.type, '')) like '%BLOB%' or coalesce(p.type, '') = '' then 'blob' "
    "when upper(coalesce(p.type, '')) like '%REAL%' or upper(coalesce(p.type, '')) like "
    "'%FLOA%' or upper(coalesce(p.type, '')) like '%DOUB%' then 'real' "
    "else 'numeric' end as type "
    "from sqlite_master as m cross join pragma_table_info(m.name) as p "
    "where m.type = 'table' and m.name not like 'sqlite_%' and p.pk > 0 "
    "and (select count(*) from pragma_table_info(m.name) as p2 where p2.pk > 0) = 1 "
    "order by m.name";

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::string Affinity(const std::string& declared) {
  std::string t = Upper(declared);
  if (t.find("INT") != std::string::npos) return "integer";
  if (t.find("CHAR") != std::string::npos || t.find("CLOB") != std::string::npos ||
      t.find("TEXT") != std::string::npos) {
    return "text";
  }
  if (t.find("BLOB") != std::string::npos || t.empty()) return "blob";
  if (t.find("REAL") != std::string::npos || t.find("FLOA") != std::string::npos ||
      t.find("DOUB") != std::string::npos) {
    return "real";
  }
  return "numeric";
}

bool Compatible(const std::string& source, const std::string& target) {
  if (source == target) return true;
  auto numeric = [](const std::string& a) {
    return a == "integer" || a == "real" || a == "numeric";
  };
  if (source == "numeric") return numeric(target);
  if (target == "numeric") return numeric(source);
  return false;
}

struct Target {
  std::string table;
  std::string column;
  std::string type;
  std::string affinity;
};

std::string Singular(const std::string& name) {
  if (name.size() > 3 && name.ends_with("ies")) return name.substr(0, name.size() - 3) + "y";
  if (name.size() > 1 && name.ends_with("s")) return name.substr(0, name.size() - 1);
  return name;
}

bool NameMatch(const std::string& source_column, const Target& t) {
  std::string source = AsciiLower(source_column);
  std::string table = AsciiLower(t.table);
  std::string singular = Singular(table);
  std::string column = AsciiLower(t.column);
  std::set<std::string> names = {table + "_" + column, singular + "_" + column};
  if (column == "id") {
    names.insert(table + "_id");
    names.insert(singular + "_id");
  }
  return names.count(source) > 0;
}

struct ColumnSuggestions {
  const db::ColumnInfo* column;
  std::string affinity;
  std::vector<Target> options;
  std::vector<Value> values;  // distinct sampled values
  std::vector<std::pair<const Target*, size_t>> found;
};

}  // namespace

Result<Answer> ForeignKeyTargets(const Instance& instance, const Request& request,
                                 const std::string& database) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  const auth::PermissionEngine& engine = instance.permissions;
  bool allowed =
      engine.Allowed(request.actor, auth::Action::kCreateTable, auth::Resource::Database(database));
  const std::string* table = request.Arg("table");
  if (!allowed && table && resolved.schema->Find(*table)) {
    allowed = engine.Allowed(request.actor, auth::Action::kAlterTable,
                             auth::Resource::Table(database, *table));
  }
  if (!allowed) return PermissionDenied("Permission denied: need create-table");
  ALM_ASSIGN_OR_RETURN(db::Rows rows, ops::FetchRows(*resolved.conn, {kTargetsSql, {}}));
  Answer answer;
  format::JsonWriter w(answer.body.text);
  w.BeginObject();
  w.MemberBool("ok", true);
  w.Member("database", database);
  w.Key("targets");
  w.BeginArray();
  for (size_t r = 0; r < rows.size(); ++r) {
    const db::TableInfo* info = resolved.schema->Find(rows.at(r, 0).text());
    if (info && info->hidden) continue;
    w.BeginObject();
    w.Member("fk_table", rows.at(r, 0).text());
    w.Member("fk_column", rows.at(r, 1).text());
    w.Member("type", rows.at(r, 2).text());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return answer;
}

namespace {

std::vector<Target> TargetsFor(const db::Schema& schema, const std::string& self) {
  std::vector<Target> targets;
  for (const db::TableInfo& t : schema.tables()) {
    if (t.kind == db::TableKind::kView || t.name == self || t.hidden ||
        t.name.starts_with("sqlite_") || t.primary_keys.size() != 1) {
      continue;
    }
    const db::ColumnInfo* pk = t.FindColumn(t.primary_keys[0]);
    if (!pk) continue;
    targets.push_back(Target{t.name, pk->name, Upper(pk->type), Affinity(pk->type)});
  }
  return targets;
}

// Samples the table and checks, option by option, that every sampled value exists there.
void CheckSamples(db::Connection& conn, const db::TableInfo& table,
                  std::vector<ColumnSuggestions>& columns, std::string& status, int64_t& sampled,
                  int64_t& checked) {
  sql::QueryBuilder b;
  b.Add("select ");
  std::vector<ColumnSuggestions*> sampled_columns;
  for (ColumnSuggestions& c : columns) {
    if (c.options.empty()) continue;
    if (!sampled_columns.empty()) b.Add(", ");
    b.Add(sql::Identifier::FromSchema(c.column->name));
    sampled_columns.push_back(&c);
  }
  if (sampled_columns.empty()) return;
  b.Add(" from ").Add(sql::Identifier::FromSchema(table.name)).Add(" limit ").Integer(kRowLimit);
  auto started = db::Clock::now();
  db::Limits limits;
  limits.deadline = started + kSampleTimeLimit;
  Result<db::QueryResult> rows = db::Execute(conn, b.query(), limits);
  if (!rows.ok()) {
    status = "timed_out";
    return;
  }
  sampled = static_cast<int64_t>(rows->rows.size());
  for (size_t r = 0; r < rows->rows.size(); ++r) {
    for (size_t i = 0; i < sampled_columns.size(); ++i) {
      const Value& v = rows->rows.at(r, i);
      auto& values = sampled_columns[i]->values;
      if (!v.is_null() && std::find(values.begin(), values.end(), v) == values.end()) {
        values.push_back(v);
      }
    }
  }
  auto deadline = started + kTotalTimeLimit;
  for (ColumnSuggestions& c : columns) {
    if (c.values.empty()) continue;
    for (const Target& option : c.options) {
      if (db::Clock::now() >= deadline) {
        status = "timed_out";
        return;
      }
      sql::QueryBuilder q;
      sql::Identifier column = sql::Identifier::FromSchema(option.column);
      q.Add("select count(distinct ").Add(column).Add(") from ");
      q.Add(sql::Identifier::FromSchema(option.table)).Add(" where ").Add(column).Add(" in (");
      for (size_t i = 0; i < c.values.size(); ++i) {
        if (i) q.Add(", ");
        q.Bind(c.values[i]);
      }
      q.Add(")");
      db::Limits check;
      check.deadline = std::min(deadline, db::Clock::now() + kSampleTimeLimit);
      Result<db::QueryResult> found = db::Execute(conn, q.query(), check);
      if (!found.ok()) {
        status = "timed_out";
        return;
      }
      if (found->rows.at(0, 0).integer() == static_cast<int64_t>(c.values.size())) {
        c.found.emplace_back(&option, c.values.size());
      }
      ++checked;
    }
  }
}

}  // namespace

Result<Answer> ForeignKeySuggestions(const Instance& instance, const Request& request,
                                     const std::string& database, const std::string& table_name) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table_name));
  const db::TableInfo& table = *resolved.table;
  if (table.is_view()) return InvalidArgument("Cannot suggest foreign keys for a view");
  ALM_RETURN_IF_ERROR(ops::RequireTable(instance.permissions, request.actor,
                                        auth::Action::kAlterTable, database, table.name,
                                        "Permission denied: need alter-table"));
  std::vector<Target> targets = TargetsFor(*resolved.schema, table.name);
  std::vector<ColumnSuggestions> columns;
  for (const db::ColumnInfo& c : table.columns) {
    ColumnSuggestions s{&c, Affinity(c.type), {}, {}, {}};
    for (const Target& t : targets) {
      if (Compatible(s.affinity, t.affinity)) s.options.push_back(t);
    }
    std::stable_sort(s.options.begin(), s.options.end(), [&](const Target& a, const Target& b) {
      return std::make_tuple(!NameMatch(c.name, a), a.table, a.column) <
             std::make_tuple(!NameMatch(c.name, b), b.table, b.column);
    });
    columns.push_back(std::move(s));
  }
  bool attempted = std::any_of(columns.begin(), columns.end(),
                               [](const ColumnSuggestions& c) { return !c.options.empty(); });
  std::string status = attempted ? "completed" : "skipped";
  int64_t sampled = 0;
  int64_t checked = 0;
  if (attempted) CheckSamples(*resolved.conn, table, columns, status, sampled, checked);

  Answer answer;
  format::JsonWriter w(answer.body.text);
  w.BeginObject();
  w.MemberBool("ok", true);
  w.Member("database", database);
  w.Member("table", table.name);
  w.Key("row_check");
  w.BeginObject();
  w.MemberBool("attempted", attempted);
  w.Member("status", status);
  w.Member("row_limit", kRowLimit);
  w.Member("sampled_rows", sampled);
  w.Member("checked_options", checked);
  w.EndObject();
  w.Key("columns");
  w.BeginArray();
  for (const ColumnSuggestions& c : columns) {
    w.BeginObject();
    w.Member("column", c.column->name);
    w.Member("type", Upper(c.column->type));
    w.Member("affinity", c.affinity);
    w.Key("current");
    auto fk = std::find_if(table.outgoing.begin(), table.outgoing.end(),
                           [&](const db::ForeignKey& f) { return f.column == c.column->name; });
    if (fk == table.outgoing.end()) {
      w.Null();
    } else {
      w.BeginObject();
      w.Member("fk_table", fk->other_table);
      w.Member("fk_column", fk->other_column);
      w.EndObject();
    }
    w.Key("suggestions");
    w.BeginArray();
    for (const auto& [option, count] : c.found) {
      w.BeginObject();
      w.Member("fk_table", option->table);
      w.Member("fk_column", option->column);
      w.Member("confidence", "sampled");
      w.Member("sampled_values", static_cast<int64_t>(count));
      w.Key("reasons");
      w.BeginArray();
      w.String("type_match");
      w.String("sample_values_exist");
      if (NameMatch(c.column->name, *option)) w.String("name_match");
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.Key("options");
    w.BeginArray();
    for (const Target& t : c.options) {
      w.BeginObject();
      w.Member("fk_table", t.table);
      w.Member("fk_column", t.column);
      w.Member("type", t.type);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return answer;
}

}  // namespace almanac::api::write
