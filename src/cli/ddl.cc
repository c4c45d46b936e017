#include "cli/ddl.h"

#include <functional>

#include "cli/cli_util.h"
#include "ingest/table_ops.h"

namespace almanac::cli {
namespace {

struct DdlFlags {
  std::string path, table, column, name, type, fk, fk_column, tokenize, not_null_default;
  std::vector<std::string> columns, pk, not_null, defaults, fks;
  bool ignore = false, replace = false, strict = false, unique = false, if_not_exists = false;
  bool analyze = false, fts4 = false, fts5 = false, create_triggers = false;
};

DdlFlags create_table_flags, index_flags, fts_flags, populate_flags, column_flags, fk_flags;
std::vector<std::pair<CLI::App*, std::function<Status()>>> commands;

CLI::App* Command(CLI::App& app, const char* name, const char* help, DdlFlags& f,
                  std::function<Status()> run) {
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->set_help_flag("--help", "Show this message and exit");
  cmd->add_option("path", f.path, "Database file")->required();
  cmd->add_option("table", f.table, "Table")->required();
  commands.emplace_back(cmd, std::move(run));
  return cmd;
}

Result<std::unique_ptr<db::Connection>> Open(const DdlFlags& f, bool must_exist = true) {
  return OpenDatabase(f.path, must_exist);
}

Status RunCreateTable() {
  DdlFlags& f = create_table_flags;
  if (f.columns.size() % 2) {
    return InvalidArgument("columns must be an even number of 'name' 'type' pairs");
  }
  ingest::CreateTableSpec spec;
  spec.table = f.table;
  for (size_t i = 0; i + 1 < f.columns.size(); i += 2) {
    spec.columns.emplace_back(f.columns[i], f.columns[i + 1]);
  }
  spec.spec.pk = f.pk;
  spec.spec.not_null = f.not_null;
  for (size_t i = 0; i + 1 < f.defaults.size(); i += 2) {
    spec.spec.defaults.emplace_back(f.defaults[i], f.defaults[i + 1]);
  }
  for (size_t i = 0; i + 2 < f.fks.size(); i += 3) {
    spec.foreign_keys.push_back({f.fks[i], f.fks[i + 1], f.fks[i + 2]});
  }
  spec.ignore = f.ignore;
  spec.replace = f.replace;
  spec.strict = f.strict;
  ALM_ASSIGN_OR_RETURN(auto conn, Open(f, false));
  return ingest::CreateTable(*conn, spec);
}

Status RunCreateIndex() {
  DdlFlags& f = index_flags;
  ingest::IndexSpec spec{f.table, {}, f.name, f.unique, f.if_not_exists, f.analyze};
  for (const std::string& c : f.columns) {
    spec.columns.push_back(c.starts_with("-") ? sql::IndexColumn{c.substr(1), true}
                                              : sql::IndexColumn{c, false});
  }
  ALM_ASSIGN_OR_RETURN(auto conn, Open(f));
  return ingest::CreateIndex(*conn, spec);
}

Status RunEnableFts() {
  DdlFlags& f = fts_flags;
  if (f.fts4 && f.fts5) return InvalidArgument("Can only use one of --fts4 or --fts5");
  ingest::FtsSpec spec{f.table,    f.columns,         f.fts4 ? "FTS4" : "FTS5",
                       f.tokenize, f.create_triggers, f.replace};
  ALM_ASSIGN_OR_RETURN(auto conn, Open(f));
  return ingest::EnableFts(*conn, spec);
}

Status RunPopulateFts() {
  ALM_ASSIGN_OR_RETURN(auto conn, Open(populate_flags));
  return ingest::PopulateFts(*conn, populate_flags.table, populate_flags.columns);
}

Status RunAddColumn() {
  DdlFlags& f = column_flags;
  ingest::AddColumnSpec spec{f.table, f.column, f.type, f.fk, f.fk_column, {}, f.ignore};
  if (!f.not_null_default.empty()) spec.not_null_default = f.not_null_default;
  ALM_ASSIGN_OR_RETURN(auto conn, Open(f));
  return ingest::AddColumn(*conn, spec);
}

Status RunAddForeignKey() {
  DdlFlags& f = fk_flags;
  ALM_ASSIGN_OR_RETURN(auto conn, Open(f));
  return ingest::AddForeignKey(*conn, f.table, {f.column, f.fk, f.fk_column}, f.ignore);
}

}  // namespace

void AddDdlCommands(CLI::App& app) {
  DdlFlags* f = &create_table_flags;
  CLI::App* cmd = Command(app, "create-table",
                          "Add a table with the specified columns: name type pairs (text, "
                          "integer, real, float, blob, any)",
                          *f, RunCreateTable);
  cmd->add_option("columns", f->columns, "name type pairs")->required();
  cmd->add_option("--pk", f->pk, "Column to use as primary key");
  cmd->add_option("--not-null", f->not_null, "Columns that should be created as NOT NULL");
  cmd->add_option("--default", f->defaults, "Default value for a column: COLUMN VALUE")
      ->expected(2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->add_option("--fk", f->fks, "Column, other table, other column to set as a foreign key")
      ->expected(3)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->add_flag("--ignore", f->ignore, "If table already exists, do nothing");
  cmd->add_flag("--replace", f->replace, "If table already exists, replace it");
  cmd->add_flag("--strict", f->strict, "Apply STRICT mode to created table");

  f = &index_flags;
  cmd = Command(app, "create-index",
                "Add an index to the specified table for the columns "
                "(-column for descending)",
                *f, RunCreateIndex);
  cmd->add_option("column", f->columns, "Columns; prefix with - (after --) for descending")
      ->required();
  cmd->add_option("--name", f->name, "Explicit name for the new index");
  cmd->add_flag("--unique", f->unique, "Make this a unique index");
  cmd->add_flag("--if-not-exists,--ignore", f->if_not_exists, "Ignore if index already exists");
  cmd->add_flag("--analyze", f->analyze, "Run ANALYZE after creating the index");

  f = &fts_flags;
  cmd = Command(app, "enable-fts", "Enable full-text search for specific table and columns", *f,
                RunEnableFts);
  cmd->add_option("column", f->columns, "Columns to index")->required();
  cmd->add_flag("--fts4", f->fts4, "Use FTS4");
  cmd->add_flag("--fts5", f->fts5, "Use FTS5 (the default)");
  cmd->add_option("--tokenize", f->tokenize, "Tokenizer to use, e.g. porter");
  cmd->add_flag("--create-triggers", f->create_triggers,
                "Create triggers to update the FTS tables when the parent table changes.");
  cmd->add_flag("--replace", f->replace, "Replace existing FTS configuration if it exists");

  f = &populate_flags;
  cmd = Command(app, "populate-fts", "Re-populate full-text search for specific table and columns",
                *f, RunPopulateFts);
  cmd->add_option("column", f->columns, "Columns")->required();

  f = &column_flags;
  cmd = Command(app, "add-column", "Add a column to the specified table", *f, RunAddColumn);
  cmd->add_option("col_name", f->column, "Column name")->required();
  cmd->add_option("col_type", f->type,
                  "integer, int, float, real, text, str, blob, bytes or any (default text)");
  cmd->add_option("--fk", f->fk, "Table to reference as a foreign key");
  cmd->add_option("--fk-col", f->fk_column, "Referenced column (default: its primary key)");
  cmd->add_option("--not-null-default", f->not_null_default, "Add NOT NULL DEFAULT 'TEXT'");
  cmd->add_flag("--ignore", f->ignore, "If column already exists, do nothing");

  f = &fk_flags;
  cmd = Command(app, "add-foreign-key", "Add a new foreign key constraint to an existing table", *f,
                RunAddForeignKey);
  cmd->add_option("column", f->column, "Column")->required();
  cmd->add_option("other_table", f->fk, "Table it refers to (guessed from the column name)");
  cmd->add_option("other_column", f->fk_column, "Column it refers to (its primary key)");
  cmd->add_flag("--ignore", f->ignore, "If foreign key already exists, do nothing");
}

std::optional<int> RunDdlCommand() {
  for (const auto& [cmd, run] : commands) {
    if (!cmd->parsed()) continue;
    Status status = run();
    return status.ok() ? 0 : Fail(status);
  }
  return std::nullopt;
}

}  // namespace almanac::cli
