#include "ingest/transform.h"

#include <algorithm>
#include <cctype>
#include <random>

#include "core/text.h"
#include "db/schema.h"
#include "ingest/table_plan.h"
#include "sql/bulk_sql.h"
#include "sql/ddl_sql.h"

namespace almanac::ingest {
namespace {

// Upper-cased bare words of `sql` outside strings, quoted names and comments.
std::vector<std::string> Words(std::string_view sql) {
  std::vector<std::string> words;
  for (size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      size_t end = sql.find(close, i + 1);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = i;
      while (i < sql.size() &&
             (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_')) {
        ++i;
      }
      std::string word = AsciiLower(sql.substr(start, i - start));
      for (char& ch : word) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      words.push_back(word);
    } else {
      ++i;
    }
  }
  return words;
}

struct Snapshot {
  const db::TableInfo* table = nullptr;
  std::shared_ptr<const db::Schema> schema;
  bool strict = false;
  std::vector<std::string> index_sql, trigger_sql;
};

Result<std::vector<std::string>> Strings(db::Connection& conn, sql::Query query) {
  ALM_ASSIGN_OR_RETURN(db::Statement statement, conn.Prepare(query));
  std::vector<std::string> out;
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool row, statement.Step());
    if (!row) return out;
    out.emplace_back(statement.ColumnText(0));
  }
}

Result<Snapshot> Load(db::Connection& conn, const std::string& name) {
  Snapshot s;
  ALM_ASSIGN_OR_RETURN(s.schema, db::Schema::Load(conn, 0));
  s.table = s.schema->Find(name);
  if (!s.table || s.table->is_view()) return NotFound("Table not found: " + name);
  if (s.table->kind != db::TableKind::kTable) {
    return InvalidArgument("Cannot transform the virtual table " + name);
  }
  std::vector<std::string> words = Words(s.table->sql);
  for (const char* refused : {"CHECK", "UNIQUE", "COLLATE", "GENERATED", "AUTOINCREMENT"}) {
    if (std::find(words.begin(), words.end(), refused) != words.end()) {
      return InvalidArgument("Cannot rebuild " + name + ": its definition has a " + refused +
                             " clause, which the rebuild would lose");
    }
  }
  if (s.table->without_rowid) return InvalidArgument("Cannot rebuild WITHOUT ROWID table " + name);
  s.strict = !words.empty() && words.back() == "STRICT";
  ALM_ASSIGN_OR_RETURN(
      std::vector<std::string> compound,
      Strings(conn, sql::Query{"select \"from\" from pragma_foreign_key_list(?) where seq > 0",
                               {Value::Text(name)}}));
  if (!compound.empty()) {
    return InvalidArgument("Cannot rebuild " + name + ": it has a compound foreign key");
  }
  ALM_ASSIGN_OR_RETURN(s.trigger_sql,
                       Strings(conn, sql::Query{"select sql from sqlite_master where type = "
                                                "'trigger' and tbl_name = ? and sql is not null",
                                                {Value::Text(name)}}));
  return s;
}

std::string Renamed(const TransformSpec& spec, const std::string& column) {
  auto found = spec.rename.find(column);
  return found == spec.rename.end() ? column : found->second;
}

// Index statements to recreate after the rebuild: as they were, or rewritten for renames.
Result<std::vector<std::string>> IndexesAfter(db::Connection& conn, const std::string& table,
                                              const TransformSpec& spec) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement list,
      conn.Prepare(sql::Query{"select l.name, l.\"unique\", l.partial, m.sql from "
                              "pragma_index_list(?) l join sqlite_master m on m.name = l.name "
                              "where m.sql is not null order by m.rowid",
                              {Value::Text(table)}}));
  std::vector<std::string> out;
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool more, list.Step());
    if (!more) break;
    std::string index(list.ColumnText(0)), sql_text(list.ColumnText(3));
    bool unique = list.ColumnInt(1) != 0, partial = list.ColumnInt(2) != 0;
    ALM_ASSIGN_OR_RETURN(db::Statement cols,
                         conn.Prepare(sql::Query{
                             "select name, \"desc\", coll from pragma_index_xinfo(?) where key = 1 "
                             "order by seqno",
                             {Value::Text(index)}}));
    std::vector<sql::IndexColumn> columns;
    bool renamed = false, expression = false;
    while (true) {
      ALM_ASSIGN_OR_RETURN(bool row, cols.Step());
      if (!row) break;
      if (cols.Column(0).is_null()) {
        expression = true;
        continue;
      }
      std::string column(cols.ColumnText(0));
      if (spec.drop.count(column)) {
        return InvalidArgument("Index " + index + " uses column " + column +
                               ", which would be dropped: drop the index first");
      }
      renamed = renamed || spec.rename.count(column);
      columns.push_back(
          {Renamed(spec, column), cols.ColumnInt(1) != 0, std::string(cols.ColumnText(2))});
    }
    if (!renamed) {
      out.push_back(sql_text);
      continue;
    }
    if (expression || partial) {
      return InvalidArgument("Index " + index +
                             " is a partial or expression index: drop it before renaming its "
                             "columns");
    }
    out.push_back(sql::RebuiltIndexSql(index, table, columns, unique));
  }
  return out;
}

Result<sql::TableDef> NewDefinition(db::Connection& conn, const Snapshot& s,
                                    const std::string& temp, const TransformSpec& spec) {
  const db::TableInfo& t = *s.table;
  sql::TableDef def;
  def.name = temp;
  for (const db::ColumnInfo& c : t.columns) {
    if (spec.drop.count(c.name)) continue;
    sql::ColumnDef col;
    col.name = Renamed(spec, c.name);
    auto type = spec.types.find(c.name);
    col.type = type == spec.types.end() ? c.type : type->second;
    auto nn = spec.not_null.find(c.name);
    col.not_null = nn == spec.not_null.end() ? c.notnull : nn->second;
    col.default_sql = c.default_value;
    auto dflt = spec.defaults.find(c.name);
    if (dflt != spec.defaults.end()) {
      col.default_sql.reset();
      if (dflt->second) col.default_sql = sql::DefaultForValue(*dflt->second);
    }
    bool drop_fk = std::find(spec.drop_foreign_keys.begin(), spec.drop_foreign_keys.end(),
                             c.name) != spec.drop_foreign_keys.end();
    for (const db::ForeignKey& fk : t.outgoing) {
      if (fk.column == c.name && !drop_fk) col.references = {{fk.other_table, fk.other_column}};
    }
    for (const ForeignKeyRef& fk : spec.add_foreign_keys) {
      if (AsciiLower(fk.column) == AsciiLower(c.name) ||
          AsciiLower(fk.column) == AsciiLower(Renamed(spec, c.name))) {
        col.references = {{fk.other_table, fk.other_column}};
      }
    }
    def.columns.push_back(std::move(col));
  }
  std::vector<std::string> names;
  for (const auto& c : def.columns) names.push_back(c.name);
  if (spec.pk) {
    for (const std::string& pk : *spec.pk) def.primary_keys.push_back(ResolveCasing(pk, names));
  } else {
    for (const std::string& pk : t.primary_keys) def.primary_keys.push_back(Renamed(spec, pk));
  }
  for (const std::string& pk : def.primary_keys) {
    if (FindColumn(pk, names) < 0) return InvalidArgument("No such column: " + pk);
  }
  std::stable_sort(def.columns.begin(), def.columns.end(), [&](const auto& a, const auto& b) {
    auto rank = [&](const std::string& name) {
      auto at = std::find(spec.column_order.begin(), spec.column_order.end(), name);
      return at == spec.column_order.end() ? spec.column_order.size() + 999
                                           : static_cast<size_t>(at - spec.column_order.begin());
    };
    return rank(a.name) < rank(b.name);
  });
  (void)conn;
  return def;
}

bool TextAffinity(const std::string& type) {
  std::string upper = AsciiLower(type);
  return upper.empty() ||
         (upper.find("int") == std::string::npos &&
          (upper.find("char") != std::string::npos || upper.find("clob") != std::string::npos ||
           upper.find("text") != std::string::npos));
}

bool NumericType(const std::string& type) {
  std::string lower = AsciiLower(type);
  return lower == "integer" || lower == "real" || lower == "float" || lower == "numeric";
}

std::string RandomHex() {
  std::random_device device;
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 12; ++i) out += kHex[device() & 15];
  return out;
}

Status Validate(const Snapshot& s, const TransformSpec& spec) {
  std::vector<std::string> names = s.table->ColumnNames();
  auto check = [&](const std::string& column) -> Status {
    if (FindColumn(column, names) < 0) return InvalidArgument("No such column: " + column);
    return Status::Ok();
  };
  for (const auto& [c, _] : spec.types) ALM_RETURN_IF_ERROR(check(c));
  for (const auto& [c, _] : spec.rename) ALM_RETURN_IF_ERROR(check(c));
  for (const auto& c : spec.drop) ALM_RETURN_IF_ERROR(check(c));
  for (const auto& [c, _] : spec.not_null) ALM_RETURN_IF_ERROR(check(c));
  for (const auto& [c, _] : spec.defaults) ALM_RETURN_IF_ERROR(check(c));
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> TransformSql(db::Connection& conn, const std::string& table,
                                              const TransformSpec& given) {
  ALM_ASSIGN_OR_RETURN(Snapshot s, Load(conn, table));
  // Names as the table spells them.
  std::vector<std::string> names = s.table->ColumnNames();
  TransformSpec spec;
  auto fix = [&](const std::string& c) { return ResolveCasing(c, names); };
  for (const auto& [c, v] : given.types) spec.types[fix(c)] = v;
  for (const auto& [c, v] : given.rename) spec.rename[fix(c)] = v;
  for (const auto& c : given.drop) spec.drop.insert(fix(c));
  for (const auto& [c, v] : given.not_null) spec.not_null[fix(c)] = v;
  for (const auto& [c, v] : given.defaults) spec.defaults[fix(c)] = v;
  for (const auto& c : given.drop_foreign_keys) spec.drop_foreign_keys.push_back(fix(c));
  spec.add_foreign_keys = given.add_foreign_keys;
  spec.pk = given.pk;
  for (const auto& c : given.column_order) spec.column_order.push_back(Renamed(spec, fix(c)));
  spec.strict = given.strict;
  ALM_RETURN_IF_ERROR(Validate(s, given));
  std::string temp = table + "_new_" + RandomHex();
  ALM_ASSIGN_OR_RETURN(sql::TableDef def, NewDefinition(conn, s, temp, spec));
  ALM_ASSIGN_OR_RETURN(std::vector<std::string> indexes, IndexesAfter(conn, table, spec));
  std::vector<std::pair<std::string, std::string>> copy;
  std::vector<bool> nullif;
  for (const db::ColumnInfo& c : s.table->columns) {
    if (spec.drop.count(c.name)) continue;
    copy.emplace_back(c.name, Renamed(spec, c.name));
    auto type = spec.types.find(c.name);
    nullif.push_back(type != spec.types.end() && TextAffinity(c.type) && NumericType(type->second));
  }
  bool has_rowid_column = FindColumn("rowid", names) >= 0;
  std::vector<std::string> sqls = {
      sql::CreateTable(def, spec.strict.value_or(s.strict)),
      sql::CopyForRebuildSql(table, temp, copy, nullif, !has_rowid_column),
      sql::DropTableSql(table),
      "PRAGMA legacy_alter_table=ON",
      sql::RenameTableSql(temp, table),
      "PRAGMA legacy_alter_table=OFF",
  };
  sqls.insert(sqls.end(), indexes.begin(), indexes.end());
  sqls.insert(sqls.end(), s.trigger_sql.begin(), s.trigger_sql.end());
  return sqls;
}

Status RebuildTransaction(db::Connection& conn, const std::function<Status()>& work) {
  ALM_ASSIGN_OR_RETURN(
      std::vector<std::string> fk,
      Strings(conn, sql::Query{"select foreign_keys from pragma_foreign_keys", {}}));
  bool enforce = !fk.empty() && fk[0] == "1";
  if (enforce) ALM_RETURN_IF_ERROR(conn.Exec("PRAGMA foreign_keys=OFF"));
  Status status = conn.Exec("BEGIN IMMEDIATE");
  if (status.ok()) status = work();
  if (status.ok() && enforce) {
    Result<std::vector<std::string>> violations =
        Strings(conn, sql::Query{"select \"table\" from pragma_foreign_key_check", {}});
    if (!violations.ok()) {
      status = violations.status();
    } else if (!violations->empty()) {
      status = InvalidArgument("FOREIGN KEY constraint failed (table " + violations->at(0) + ")");
    }
  }
  if (status.ok()) status = conn.Exec("COMMIT");
  if (!status.ok()) {
    (void)conn.Exec("ROLLBACK");
    (void)conn.Exec("PRAGMA legacy_alter_table=OFF");
  }
  if (enforce) (void)conn.Exec("PRAGMA foreign_keys=ON");
  return status;
}

Status ExecAll(db::Connection& conn, const std::vector<std::string>& statements) {
  for (const std::string& statement : statements) ALM_RETURN_IF_ERROR(conn.Exec(statement));
  return Status::Ok();
}

Status Transform(db::Connection& conn, const std::string& table, const TransformSpec& spec) {
  return RebuildTransaction(conn, [&]() -> Status {
    ALM_ASSIGN_OR_RETURN(std::vector<std::string> statements, TransformSql(conn, table, spec));
    return ExecAll(conn, statements);
  });
}

}  // namespace almanac::ingest
