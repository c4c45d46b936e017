#include "write/alter.h"

#include <algorithm>
#include <memory>
#include <random>

#include "write/checks.h"
#include "write/table_ops.h"

namespace almanac::write {
namespace {

Result<std::optional<std::string>> DefaultSqlFor(db::Connection& conn, const DefaultSpec& spec) {
  if (spec.expr_sql) return std::optional<std::string>(*spec.expr_sql);
  if (spec.literal) {
    ALM_ASSIGN_OR_RETURN(std::string quoted, QuoteLiteral(conn, *spec.literal));
    return std::optional<std::string>(quoted);
  }
  return std::optional<std::string>();
}

Status AddColumns(db::Connection& conn, const std::string& table, const AlterPlan& plan) {
  for (const AddColumn& add : plan.add_columns) {
    sql::ColumnDef def{add.name, add.type, false, {}, {}};
    if (add.not_null) {
      if (!add.default_value || add.default_value->none()) {
        return InvalidArgument(
            "add_column args.default or args.default_expr is required when not_null is true");
      }
      def.not_null = true;
      ALM_ASSIGN_OR_RETURN(def.default_sql, DefaultSqlFor(conn, *add.default_value));
    }
    ALM_RETURN_IF_ERROR(conn.Exec(sql::AddColumnSql(table, def)));
  }
  return Status::Ok();
}

std::string Renamed(const AlterPlan& plan, const std::string& name) {
  auto it = plan.rename.find(name);
  return it == plan.rename.end() ? name : it->second;
}

bool Dropped(const AlterPlan& plan, const std::string& name) {
  return std::find(plan.drop.begin(), plan.drop.end(), name) != plan.drop.end();
}

Result<std::pair<std::string, std::string>> Reference(const db::Schema& schema,
                                                      const std::string& self,
                                                      const std::vector<std::string>& self_pks,
                                                      const ForeignKeySpec& fk) {
  if (fk.fk_column) return std::make_pair(fk.fk_table, *fk.fk_column);
  if (fk.fk_table == self && self_pks.size() == 1) return std::make_pair(self, self_pks[0]);
  const db::TableInfo* other = schema.Find(fk.fk_table);
  if (!other || other->is_view() || other->primary_keys.size() != 1) {
    return InvalidArgument("Could not detect single primary key for table '" + fk.fk_table + "'");
  }
  return std::make_pair(fk.fk_table, other->primary_keys[0]);
}

// The new table's definition: the old columns with the plan applied.
Result<sql::TableDef> RebuiltDef(db::Connection& conn, const db::Schema& schema,
                                 const db::TableInfo& table, const AlterPlan& plan,
                                 const std::string& new_name) {
  sql::TableDef def;
  def.name = new_name;
  for (const db::ColumnInfo& c : table.columns) {
    if (Dropped(plan, c.name)) continue;
    sql::ColumnDef col{Renamed(plan, c.name), c.type, c.notnull, c.default_value, {}};
    if (auto t = plan.types.find(c.name); t != plan.types.end()) col.type = t->second;
    if (auto n = plan.not_null.find(c.name); n != plan.not_null.end()) col.not_null = n->second;
    if (auto d = plan.defaults.find(c.name); d != plan.defaults.end()) {
      ALM_ASSIGN_OR_RETURN(col.default_sql, DefaultSqlFor(conn, d->second));
    }
    def.columns.push_back(std::move(col));
  }
  for (const auto& [old_name, new_name_] : plan.rename) {
    if (!table.FindColumn(old_name)) return InvalidArgument("No such column: " + old_name);
  }
  for (const std::string& d : plan.drop) {
    if (!table.FindColumn(d)) return InvalidArgument("No such column: " + d);
  }
  auto has = [&](const std::string& name) {
    return std::any_of(def.columns.begin(), def.columns.end(),
                       [&](const sql::ColumnDef& c) { return c.name == name; });
  };
  if (plan.primary_keys) {
    for (const std::string& pk : *plan.primary_keys) {
      std::string name = Renamed(plan, pk);
      if (!has(name)) return InvalidArgument("No such column: " + pk);
      def.primary_keys.push_back(name);
    }
  } else {
    for (const std::string& pk : table.primary_keys) {
      if (!Dropped(plan, pk)) def.primary_keys.push_back(Renamed(plan, pk));
    }
  }
  if (plan.column_order) {
    std::vector<sql::ColumnDef> ordered;
    for (const std::string& name : *plan.column_order) {
      std::string n = Renamed(plan, name);
      auto it = std::find_if(def.columns.begin(), def.columns.end(),
                             [&](const sql::ColumnDef& c) { return c.name == n; });
      if (it == def.columns.end()) return InvalidArgument("No such column: " + name);
      ordered.push_back(std::move(*it));
      def.columns.erase(it);
    }
    ordered.insert(ordered.end(), def.columns.begin(), def.columns.end());
    def.columns = std::move(ordered);
  }
  // Foreign keys: the current ones (or the replacement set), less dropped, plus added.
  std::vector<ForeignKeySpec> fks;
  if (plan.foreign_keys) {
    fks = *plan.foreign_keys;
  } else {
    for (const db::ForeignKey& fk : table.outgoing) {
      if (Dropped(plan, fk.column)) continue;
      if (std::find(plan.drop_foreign_keys.begin(), plan.drop_foreign_keys.end(), fk.column) !=
          plan.drop_foreign_keys.end()) {
        continue;
      }
      fks.push_back(ForeignKeySpec{Renamed(plan, fk.column), fk.other_table, fk.other_column});
    }
    fks.insert(fks.end(), plan.add_foreign_keys.begin(), plan.add_foreign_keys.end());
  }
  for (const ForeignKeySpec& fk : fks) {
    std::string column = has(fk.column) ? fk.column : Renamed(plan, fk.column);
    if (!has(column)) return InvalidArgument("No such column: " + fk.column);
    ALM_ASSIGN_OR_RETURN(auto ref, Reference(schema, table.name, def.primary_keys, fk));
    for (sql::ColumnDef& c : def.columns) {
      if (c.name == column) c.references = ref;
    }
  }
  return def;
}

std::string RandomHex() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  uint64_t bits = rng();
  for (int i = 0; i < 12; ++i) out += kHex[(bits >> (i * 4)) & 15];
  return out;
}

struct SchemaObject {
  std::string name;
  std::string sql;
};

Result<std::vector<SchemaObject>> ObjectsOf(db::Connection& conn, const std::string& type,
                                            const std::string& table) {
  ALM_ASSIGN_OR_RETURN(db::Rows rows,
                       FetchRows(conn, {"select name, sql from sqlite_master where type = ? and "
                                        "tbl_name = ? and sql is not null",
                                        {Value::Text(type), Value::Text(table)}}));
  std::vector<SchemaObject> out;
  for (size_t r = 0; r < rows.size(); ++r) {
    out.push_back(SchemaObject{rows.at(r, 0).text(), rows.at(r, 1).text()});
  }
  return out;
}

// An index after the rebuild: its own SQL when none of its columns moved, else rebuilt from
// PRAGMA index_xinfo with the new names; dropped when it covered a dropped column.
Result<std::optional<std::string>> IndexAfter(db::Connection& conn, const SchemaObject& index,
                                              const std::string& table, const AlterPlan& plan) {
  ALM_ASSIGN_OR_RETURN(
      db::Rows cols, FetchRows(conn, {"select name, desc from pragma_index_xinfo(?) where key = 1",
                                      {Value::Text(index.name)}}));
  bool touched = false;
  for (size_t r = 0; r < cols.size(); ++r) {
    if (cols.at(r, 0).is_null()) continue;
    const std::string& c = cols.at(r, 0).text();
    if (Dropped(plan, c)) return std::optional<std::string>();
    if (plan.rename.count(c)) touched = true;
  }
  if (!touched) return std::optional<std::string>(index.sql);
  bool unique = index.sql.find("UNIQUE") != std::string::npos ||
                index.sql.find("unique") != std::string::npos;
  std::string out = std::string(unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") +
                    sql::QuoteIdentifier(index.name) + " ON " + sql::QuoteIdentifier(table) + " (";
  for (size_t r = 0; r < cols.size(); ++r) {
    if (cols.at(r, 0).is_null())
      return InvalidArgument("Cannot rename a column in an expression index");
    if (r) out += ", ";
    out += sql::QuoteIdentifier(Renamed(plan, cols.at(r, 0).text()));
    if (cols.at(r, 1).integer()) out += " DESC";
  }
  return std::optional<std::string>(out + ")");
}

Status Rebuild(db::WriteContext& ctx, const db::TableInfo& table, const AlterPlan& plan) {
  db::Connection& conn = ctx.conn();
  ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
  std::string temp = table.name + "_new_" + RandomHex();
  ALM_ASSIGN_OR_RETURN(sql::TableDef def, RebuiltDef(conn, *schema, table, plan, temp));
  ALM_ASSIGN_OR_RETURN(std::vector<SchemaObject> indexes, ObjectsOf(conn, "index", table.name));
  ALM_ASSIGN_OR_RETURN(std::vector<SchemaObject> triggers, ObjectsOf(conn, "trigger", table.name));
  std::vector<std::optional<std::string>> index_sql;
  for (const SchemaObject& index : indexes) {
    ALM_ASSIGN_OR_RETURN(auto sql_text, IndexAfter(conn, index, table.name, plan));
    index_sql.push_back(std::move(sql_text));
  }
  std::vector<std::pair<std::string, std::string>> copy;
  for (const db::ColumnInfo& c : table.columns) {
    if (!Dropped(plan, c.name)) copy.emplace_back(c.name, Renamed(plan, c.name));
  }
  bool keep_rowid = table.uses_rowid() && def.primary_keys.empty();
  ALM_RETURN_IF_ERROR(conn.Exec(sql::CreateTableSql(def)));
  ALM_RETURN_IF_ERROR(conn.Exec(sql::CopyRowsSql(table.name, temp, copy, keep_rowid)));
  ALM_RETURN_IF_ERROR(conn.Exec("DROP TABLE " + sql::QuoteIdentifier(table.name)));
  // Legacy mode renames without re-checking views that name the (now missing) old table.
  ALM_RETURN_IF_ERROR(conn.Exec("PRAGMA legacy_alter_table = ON"));
  Status renamed = conn.Exec("ALTER TABLE " + sql::QuoteIdentifier(temp) + " RENAME TO " +
                             sql::QuoteIdentifier(table.name));
  ALM_RETURN_IF_ERROR(conn.Exec("PRAGMA legacy_alter_table = OFF"));
  ALM_RETURN_IF_ERROR(renamed);
  for (const auto& sql_text : index_sql) {
    if (sql_text) ALM_RETURN_IF_ERROR(conn.Exec(*sql_text));
  }
  for (const SchemaObject& trigger : triggers) ALM_RETURN_IF_ERROR(conn.Exec(trigger.sql));
  return Status::Ok();
}

}  // namespace

Result<AlterArgs> ParseAlter(const format::JsonValue& body, const db::TableInfo& table) {
  if (table.is_view()) return InvalidArgument("Cannot alter a view");
  if (!body.is_object()) return InvalidArgument("JSON must be a dictionary");
  AlterArgs args;
  args.table = table.name;
  ALM_ASSIGN_OR_RETURN(args.plan, ParseAlterRequest(body));
  return args;
}

Status CheckAlter(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                  const std::string& database, const AlterArgs& args) {
  return RequireTable(engine, actor, auth::Action::kAlterTable, database, args.table,
                      "Permission denied: need alter-table");
}

Result<AlterResult> RunAlter(db::WriteContext& ctx, const AlterArgs& args) {
  db::Connection& conn = ctx.conn();
  const AlterPlan& plan = args.plan;
  AlterResult result;
  ALM_ASSIGN_OR_RETURN(result.before, TableSchemaSql(conn, args.table));
  if (result.before.empty()) return NotFound("Table not found: " + args.table);
  ALM_RETURN_IF_ERROR(AddColumns(conn, args.table, plan));
  if (plan.NeedsRebuild()) {
    ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
    const db::TableInfo* table = schema->Find(args.table);
    if (!table) return NotFound("Table not found: " + args.table);
    ALM_RETURN_IF_ERROR(Rebuild(ctx, *table, plan));
  }
  result.table = args.table;
  if (plan.rename_table_to && *plan.rename_table_to != args.table) {
    ALM_RETURN_IF_ERROR(conn.Exec("ALTER TABLE " + sql::QuoteIdentifier(args.table) +
                                  " RENAME TO " + sql::QuoteIdentifier(*plan.rename_table_to)));
    result.table = *plan.rename_table_to;
  }
  ALM_ASSIGN_OR_RETURN(result.after, TableSchemaSql(conn, result.table));
  return result;
}

}  // namespace almanac::write
