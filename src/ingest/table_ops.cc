#include "ingest/table_ops.h"

#include <algorithm>
#include <random>

#include "core/text.h"
#include "db/schema.h"
#include "sql/bulk_sql.h"

namespace almanac::ingest {
namespace {

Result<std::shared_ptr<const db::Schema>> LoadSchema(db::Connection& conn) {
  return db::Schema::Load(conn, 0);
}

// `work` inside BEGIN IMMEDIATE ... COMMIT, rolled back on failure.
Status InTransaction(db::Connection& conn, const std::function<Status()>& work) {
  ALM_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
  Status status = work();
  if (status.ok()) status = conn.Exec("COMMIT");
  if (!status.ok()) (void)conn.Exec("ROLLBACK");
  return status;
}

// A column of `table` named `column` (any case), or rowid.
bool HasColumn(const db::TableInfo& table, const std::string& column) {
  return AsciiLower(column) == "rowid" || FindColumn(column, table.ColumnNames()) >= 0;
}

std::string PyList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", '" : "'") + items[i] + "'";
  return out + "]";
}

// sqlite-utils' guess_foreign_table: tag_id -> tag_id, tag, tags; tag -> tag, tags.
Result<std::string> GuessForeignTable(const db::Schema& schema, const std::string& column) {
  std::string c = AsciiLower(column);
  std::vector<std::string> possibilities = {c};
  if (c.ends_with("_id")) {
    std::string bare = c.substr(0, c.size() - 3);
    possibilities.push_back(bare);
    if (!bare.ends_with("s")) possibilities.push_back(bare + "s");
  } else if (!c.ends_with("s")) {
    possibilities.push_back(c + "s");
  }
  for (const std::string& p : possibilities) {
    for (const db::TableInfo& t : schema.tables()) {
      if (!t.is_view() && AsciiLower(t.name) == p) return t.name;
    }
  }
  return InvalidArgument("No obvious foreign key table for column '" + c + "' - tried " +
                         PyList(possibilities));
}

Status AddForeignKeyInTransaction(db::Connection& conn, const std::string& table_name,
                                  ForeignKeyRef fk, bool ignore) {
  ALM_ASSIGN_OR_RETURN(auto schema, LoadSchema(conn));
  const db::TableInfo* table = schema->Find(table_name);
  if (!table || table->is_view()) return InvalidArgument("No such table: " + table_name);
  fk.column = ResolveCasing(fk.column, table->ColumnNames());
  if (FindColumn(fk.column, table->ColumnNames()) < 0) {
    return InvalidArgument("No such column: " + fk.column);
  }
  if (fk.other_table.empty()) {
    ALM_ASSIGN_OR_RETURN(fk.other_table, GuessForeignTable(*schema, fk.column));
  }
  const db::TableInfo* other = schema->Find(fk.other_table);
  if (!other || other->is_view()) return InvalidArgument("No such table: " + fk.other_table);
  if (fk.other_column.empty()) {
    if (other->primary_keys.size() != 1) {
      return InvalidArgument("Could not detect single primary key for table '" + fk.other_table +
                             "'");
    }
    fk.other_column = other->primary_keys[0];
  }
  fk.other_column = ResolveCasing(fk.other_column, other->ColumnNames());
  if (!HasColumn(*other, fk.other_column)) {
    return InvalidArgument("No such column: " + fk.other_table + "." + fk.other_column);
  }
  for (const db::ForeignKey& existing : table->outgoing) {
    if (AsciiLower(existing.column) == AsciiLower(fk.column) &&
        AsciiLower(existing.other_table) == AsciiLower(fk.other_table) &&
        AsciiLower(existing.other_column) == AsciiLower(fk.other_column)) {
      if (ignore) return Status::Ok();
      return InvalidArgument("Foreign key already exists for " + fk.column + " => " +
                             fk.other_table + "." + fk.other_column);
    }
  }
  TransformSpec spec;
  spec.add_foreign_keys.push_back(fk);
  ALM_ASSIGN_OR_RETURN(std::vector<std::string> statements, TransformSql(conn, table_name, spec));
  return ExecAll(conn, statements);
}

}  // namespace

Status CreateTable(db::Connection& conn, const CreateTableSpec& spec) {
  std::vector<std::string> names;
  std::vector<ColumnType> types;
  for (const auto& [name, type] : spec.columns) {
    std::optional<ColumnType> t = ColumnTypeByName(type);
    if (!t) {
      return InvalidArgument(
          "column types must be one of ('INTEGER', 'TEXT', 'FLOAT', 'REAL', 'BLOB', 'ANY')");
    }
    names.push_back(name);
    types.push_back(*t);
  }
  return InTransaction(conn, [&]() -> Status {
    ALM_ASSIGN_OR_RETURN(auto schema, LoadSchema(conn));
    const db::TableInfo* existing = schema->Find(spec.table);
    if (existing && !existing->is_view()) {
      if (spec.ignore) return Status::Ok();
      if (!spec.replace) {
        return InvalidArgument("Table \"" + spec.table +
                               "\" already exists. Use --replace to delete and replace it.");
      }
      ALM_RETURN_IF_ERROR(conn.Exec(sql::DropTableSql(spec.table)));
    }
    ALM_ASSIGN_OR_RETURN(sql::TableDef def, PlanTable(spec.table, names, types, spec.spec));
    for (const ForeignKeyRef& fk : spec.foreign_keys) {
      const db::TableInfo* other = schema->Find(fk.other_table);
      bool self = fk.other_table == spec.table && FindColumn(fk.other_column, names) >= 0;
      if (!self && (!other || !HasColumn(*other, fk.other_column))) {
        return InvalidArgument("No such column: " + fk.other_table + "." + fk.other_column);
      }
      for (auto& column : def.columns) {
        if (column.name == ResolveCasing(fk.column, names)) {
          column.references = {{fk.other_table, fk.other_column}};
        }
      }
    }
    return conn.Exec(sql::CreateTable(def, spec.strict));
  });
}

Status CreateIndex(db::Connection& conn, const IndexSpec& spec) {
  std::string name =
      spec.name.empty() ? sql::DefaultIndexName(spec.table, spec.columns) : spec.name;
  return InTransaction(conn, [&]() -> Status {
    ALM_RETURN_IF_ERROR(conn.Exec(
        sql::CreateIndexSql(name, spec.table, spec.columns, spec.unique, spec.if_not_exists)));
    if (spec.analyze) ALM_RETURN_IF_ERROR(conn.Exec("ANALYZE " + sql::QuoteIdentifier(name)));
    return Status::Ok();
  });
}

Status EnableFts(db::Connection& conn, const FtsSpec& spec) {
  std::string create = sql::CreateFtsSql(spec.table, spec.columns, spec.module, spec.tokenize);
  return InTransaction(conn, [&]() -> Status {
    ALM_ASSIGN_OR_RETURN(auto schema, LoadSchema(conn));
    if (!schema->Find(spec.table)) return InvalidArgument("Table not found: " + spec.table);
    const db::TableInfo* fts = schema->Find(spec.table + "_fts");
    if (spec.replace && fts) {
      sql::Query triggers{
          "select count(*) from sqlite_master where type = 'trigger' and tbl_name = ? and name "
          "in (? || '_ai', ? || '_ad', ? || '_au')",
          {Value::Text(spec.table), Value::Text(spec.table), Value::Text(spec.table),
           Value::Text(spec.table)}};
      bool has_triggers = false;
      {
        ALM_ASSIGN_OR_RETURN(db::Statement count, conn.Prepare(triggers));
        ALM_ASSIGN_OR_RETURN(bool row, count.Step());
        has_triggers = row && count.ColumnInt(0) == 3;
      }  // the statement must be done before DROP TABLE
      if (fts->sql == create && has_triggers == spec.create_triggers) return Status::Ok();
      ALM_RETURN_IF_ERROR(conn.Exec(sql::DisableFtsSql(spec.table)));
    }
    ALM_RETURN_IF_ERROR(conn.Exec(create));
    ALM_RETURN_IF_ERROR(conn.Exec(sql::PopulateFtsSql(spec.table, spec.columns)));
    if (spec.create_triggers) {
      ALM_RETURN_IF_ERROR(conn.Exec(sql::FtsTriggersSql(spec.table, spec.columns)));
    }
    return Status::Ok();
  });
}

Status PopulateFts(db::Connection& conn, const std::string& table,
                   const std::vector<std::string>& columns) {
  return InTransaction(conn, [&] { return conn.Exec(sql::PopulateFtsSql(table, columns)); });
}

Status AddColumn(db::Connection& conn, const AddColumnSpec& spec) {
  std::string lower = AsciiLower(spec.type);
  std::string type = "TEXT";
  if (lower == "integer" || lower == "int") type = "INTEGER";
  if (lower == "float" || lower == "real") type = "REAL";
  if (lower == "blob" || lower == "bytes") type = "BLOB";
  if (lower == "any") type = "ANY";
  if (!lower.empty() && lower != "text" && lower != "str" && type == "TEXT") {
    return InvalidArgument("Invalid column type " + spec.type +
                           ": use integer, int, float, real, text, str, blob, bytes or any");
  }
  return RebuildTransaction(conn, [&]() -> Status {
    ALM_ASSIGN_OR_RETURN(auto schema, LoadSchema(conn));
    const db::TableInfo* table = schema->Find(spec.table);
    if (!table || table->is_view()) return InvalidArgument("no such table: " + spec.table);
    ForeignKeyRef fk{spec.column, spec.fk, spec.fk_column};
    if (!spec.fk.empty()) {
      const db::TableInfo* other = schema->Find(spec.fk);
      if (!other || other->is_view()) {
        return InvalidArgument("table '" + spec.fk + "' does not exist");
      }
      if (!fk.other_column.empty()) {
        fk.other_column = ResolveCasing(fk.other_column, other->ColumnNames());
        if (!HasColumn(*other, fk.other_column)) {
          return InvalidArgument("table '" + spec.fk + "' has no column " + fk.other_column);
        }
      } else if (!other->primary_keys.empty()) {
        fk.other_column = other->primary_keys[0];
        type = other->FindColumn(fk.other_column)->type;
      } else {
        fk.other_column = "rowid";
        type = "INTEGER";
      }
    }
    sql::ColumnDef column{spec.column, type, false, {}, {}};
    if (spec.not_null_default) {
      column.not_null = true;
      column.default_sql = sql::DefaultForValue(*spec.not_null_default);
    }
    Status added = conn.Exec(sql::AddColumnSql(spec.table, column));
    if (!added.ok()) return spec.ignore ? Status::Ok() : added;
    if (spec.fk.empty()) return Status::Ok();
    return AddForeignKeyInTransaction(conn, spec.table, fk, false);
  });
}

Status AddForeignKey(db::Connection& conn, const std::string& table, ForeignKeyRef fk,
                     bool ignore) {
  return RebuildTransaction(conn,
                            [&] { return AddForeignKeyInTransaction(conn, table, fk, ignore); });
}

Status Extract(db::Connection& conn, const ExtractSpec& spec) {
  return RebuildTransaction(conn, [&]() -> Status {
    ALM_ASSIGN_OR_RETURN(auto schema, LoadSchema(conn));
    const db::TableInfo* table = schema->Find(spec.table);
    if (!table || table->is_view()) return InvalidArgument("Table not found: " + spec.table);
    std::vector<std::string> names = table->ColumnNames(), columns, lookup_columns;
    for (const std::string& c : spec.columns) {
      if (FindColumn(c, names) < 0) {
        return InvalidArgument("Invalid columns " + PyList(spec.columns) +
                               " for table with columns " + PyList(names));
      }
      columns.push_back(ResolveCasing(c, names));
    }
    std::string lookup = spec.lookup_table;
    for (size_t i = 0; lookup.empty() && i < columns.size(); ++i) {
      lookup += (i ? "_" : "") + columns[i];
    }
    if (lookup.empty()) lookup = spec.lookup_table;
    std::string fk_column = spec.fk_column.empty() ? lookup + "_id" : spec.fk_column;
    sql::TableDef lookup_def{lookup, {{"id", "INTEGER", false, {}, {}}}, {"id"}};
    for (const std::string& c : columns) {
      std::string renamed = c;
      for (const auto& [from, to] : spec.rename) {
        if (AsciiLower(from) == AsciiLower(c)) renamed = to;
      }
      lookup_columns.push_back(renamed);
      lookup_def.columns.push_back({renamed, table->FindColumn(c)->type, false, {}, {}});
    }
    if (const db::TableInfo* existing = schema->Find(lookup)) {
      for (size_t i = 0; i < lookup_columns.size(); ++i) {
        const db::ColumnInfo* have = existing->FindColumn(lookup_columns[i]);
        if (!have || AsciiLower(have->type) != AsciiLower(lookup_def.columns[i + 1].type)) {
          return InvalidArgument("Lookup table " + lookup +
                                 " already exists but does not have "
                                 "column " +
                                 lookup_columns[i]);
        }
      }
    } else {
      ALM_RETURN_IF_ERROR(conn.Exec(sql::CreateTable(lookup_def, false)));
    }
    std::vector<sql::IndexColumn> index;
    for (const std::string& c : lookup_columns) index.push_back({c, false});
    ALM_RETURN_IF_ERROR(conn.Exec(
        sql::CreateIndexSql(sql::DefaultIndexName(lookup, index), lookup, index, true, true)));
    ALM_RETURN_IF_ERROR(
        conn.Exec(sql::ExtractLookupSql(spec.table, lookup, columns, lookup_columns)));
    std::string magic = fk_column + "_" + std::to_string(std::random_device()());
    ALM_RETURN_IF_ERROR(
        conn.Exec(sql::AddColumnSql(spec.table, {magic, "INTEGER", false, {}, {}})));
    ALM_RETURN_IF_ERROR(
        conn.Exec(sql::ExtractUpdateSql(spec.table, lookup, magic, columns, lookup_columns)));
    TransformSpec transform;
    for (const std::string& name : names) {
      bool extracted = std::find(columns.begin(), columns.end(), name) != columns.end();
      if (!extracted) {
        transform.column_order.push_back(name);
      } else if (std::find(transform.column_order.begin(), transform.column_order.end(), magic) ==
                 transform.column_order.end()) {
        transform.column_order.push_back(magic);
      }
    }
    transform.drop.insert(columns.begin(), columns.end());
    transform.rename[magic] = fk_column;
    transform.add_foreign_keys.push_back({fk_column, lookup, "id"});
    ALM_ASSIGN_OR_RETURN(std::vector<std::string> statements,
                         TransformSql(conn, spec.table, transform));
    return ExecAll(conn, statements);
  });
}

}  // namespace almanac::ingest
