#include "cli/transform.h"

#include <cstdio>

#include "cli/cli_util.h"
#include "ingest/table_ops.h"
#include "ingest/transform.h"
#include "ingest/types.h"

namespace almanac::cli {
namespace {

struct TransformFlags {
  std::string path, table;
  std::vector<std::string> types, drop, rename, order, not_null, not_null_false, pk, defaults;
  std::vector<std::string> default_none, add_fks, drop_fks;
  bool pk_none = false, strict = false, no_strict = false, sql = false;
};

struct ExtractFlags {
  std::string path, table, other_table, fk_column;
  std::vector<std::string> columns, rename;
};

TransformFlags transform_flags;
ExtractFlags extract_flags;

template <typename T>
void Multi(CLI::Option* option, int n) {
  option->expected(n)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
}

Result<ingest::TransformSpec> SpecFor(const TransformFlags& f) {
  ingest::TransformSpec spec;
  for (size_t i = 0; i + 1 < f.types.size(); i += 2) {
    std::optional<ingest::ColumnType> type = ingest::ColumnTypeByName(f.types[i + 1]);
    if (!type) {
      return InvalidArgument("--type " + f.types[i + 1] +
                             ": must be INTEGER, TEXT, FLOAT, REAL, BLOB or ANY");
    }
    spec.types[f.types[i]] = std::string(ingest::SqlTypeName(*type));
  }
  for (size_t i = 0; i + 1 < f.rename.size(); i += 2) spec.rename[f.rename[i]] = f.rename[i + 1];
  spec.drop.insert(f.drop.begin(), f.drop.end());
  spec.column_order = f.order;
  for (const auto& c : f.not_null) spec.not_null[c] = true;
  for (const auto& c : f.not_null_false) spec.not_null[c] = false;
  if (!f.pk.empty()) spec.pk = f.pk;
  if (f.pk_none) spec.pk = std::vector<std::string>{};
  for (size_t i = 0; i + 1 < f.defaults.size(); i += 2) {
    spec.defaults[f.defaults[i]] = f.defaults[i + 1];
  }
  for (const auto& c : f.default_none) spec.defaults[c] = std::nullopt;
  for (size_t i = 0; i + 2 < f.add_fks.size(); i += 3) {
    spec.add_foreign_keys.push_back({f.add_fks[i], f.add_fks[i + 1], f.add_fks[i + 2]});
  }
  spec.drop_foreign_keys = f.drop_fks;
  if (f.strict) spec.strict = true;
  if (f.no_strict) spec.strict = false;
  return spec;
}

}  // namespace

CLI::App* AddTransformCommand(CLI::App& app) {
  TransformFlags& f = transform_flags;
  CLI::App* cmd = app.add_subcommand(
      "transform", "Transform a table beyond the capabilities of ALTER TABLE (a table rebuild)");
  cmd->set_help_flag("--help", "Show this message and exit");
  cmd->add_option("path", f.path, "Database file")->required();
  cmd->add_option("table", f.table, "Table")->required();
  Multi<int>(cmd->add_option("--type", f.types, "Change column type: COLUMN TYPE"), 2);
  cmd->add_option("--drop", f.drop, "Drop this column");
  Multi<int>(cmd->add_option("--rename", f.rename, "Rename this column: OLD NEW"), 2);
  cmd->add_option("-o,--column-order", f.order, "Reorder columns");
  cmd->add_option("--not-null", f.not_null, "Set this column to NOT NULL");
  cmd->add_option("--not-null-false", f.not_null_false, "Remove NOT NULL from this column");
  cmd->add_option("--pk", f.pk, "Make this column the primary key");
  cmd->add_flag("--pk-none", f.pk_none, "Remove primary key (convert to rowid table)");
  Multi<int>(cmd->add_option("--default", f.defaults, "Set default value: COLUMN VALUE"), 2);
  cmd->add_option("--default-none", f.default_none, "Remove default from this column");
  Multi<int>(cmd->add_option("--add-foreign-key", f.add_fks,
                             "Add a foreign key constraint: COLUMN OTHER_TABLE OTHER_COLUMN"),
             3);
  cmd->add_option("--drop-foreign-key", f.drop_fks, "Drop foreign key constraint for column");
  cmd->add_flag("--strict", f.strict, "Make the table STRICT");
  cmd->add_flag("--no-strict", f.no_strict, "Make the table not STRICT");
  cmd->add_flag("--sql", f.sql, "Output SQL without executing it");
  return cmd;
}

int RunTransform() {
  TransformFlags& f = transform_flags;
  Result<ingest::TransformSpec> spec = SpecFor(f);
  if (!spec.ok()) return Fail(spec.status());
  Result<std::unique_ptr<db::Connection>> conn = OpenDatabase(f.path, true);
  if (!conn.ok()) return Fail(conn.status());
  if (f.sql) {
    Result<std::vector<std::string>> sqls = ingest::TransformSql(**conn, f.table, *spec);
    if (!sqls.ok()) return Fail(sqls.status());
    for (const std::string& sql : *sqls) std::printf("%s;\n", sql.c_str());
    return 0;
  }
  Status status = ingest::Transform(**conn, f.table, *spec);
  return status.ok() ? 0 : Fail(status);
}

CLI::App* AddExtractCommand(CLI::App& app) {
  ExtractFlags& f = extract_flags;
  CLI::App* cmd = app.add_subcommand(
      "extract", "Extract one or more columns into a separate table, replaced by a foreign key");
  cmd->set_help_flag("--help", "Show this message and exit");
  cmd->add_option("path", f.path, "Database file")->required();
  cmd->add_option("table", f.table, "Table")->required();
  cmd->add_option("columns", f.columns, "Columns to extract")->required();
  cmd->add_option("--table", f.other_table, "Name of the other table to extract columns to");
  cmd->add_option("--fk-column", f.fk_column, "Name of the foreign key column to add");
  Multi<int>(cmd->add_option("--rename", f.rename, "Rename a column in the extracted table"), 2);
  return cmd;
}

int RunExtract() {
  ExtractFlags& f = extract_flags;
  ingest::ExtractSpec spec{f.table, f.columns, f.other_table, f.fk_column, {}};
  for (size_t i = 0; i + 1 < f.rename.size(); i += 2) {
    spec.rename.emplace_back(f.rename[i], f.rename[i + 1]);
  }
  Result<std::unique_ptr<db::Connection>> conn = OpenDatabase(f.path, true);
  if (!conn.ok()) return Fail(conn.status());
  Status status = ingest::Extract(**conn, spec);
  return status.ok() ? 0 : Fail(status);
}

}  // namespace almanac::cli
