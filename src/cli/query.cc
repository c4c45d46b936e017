#include "cli/query.h"

#include <cstdio>
#include <iostream>
#include <iterator>

#include "cli/cli_util.h"
#include "cli/query_output.h"
#include "sql/bulk_sql.h"

namespace almanac::cli {
namespace {

struct QueryFlags {
  std::string path, sql;
  std::vector<std::string> params;
  OutputFlags output;
};

struct RowsFlags {
  std::string path, table, where, order;
  std::vector<std::string> columns, params;
  int64_t limit = 0, offset = 0;
  OutputFlags output;
};

QueryFlags query_flags;
RowsFlags rows_flags;

}  // namespace

CLI::App* AddQueryCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("query", "Execute SQL query and return the results as JSON");
  cmd->set_help_flag("--help", "Show this message and exit");
  QueryFlags& f = query_flags;
  cmd->add_option("path", f.path, "Database file")->required();
  cmd->add_option("sql", f.sql, "SQL to run; - reads it from standard input")->required();
  cmd->add_option("-p,--param", f.params, "Named :parameter for the SQL: NAME VALUE")
      ->expected(2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  AddOutputFlags(cmd, f.output, true);
  return cmd;
}

int RunQuery() {
  QueryFlags& f = query_flags;
  if (f.sql == "-") f.sql.assign(std::istreambuf_iterator<char>(std::cin), {});
  Result<std::unique_ptr<db::Connection>> conn = OpenDatabase(f.path);
  if (!conn.ok()) return Fail(conn.status());
  Status status = RunAndPrint(**conn, f.sql, Pairs(f.params), f.output);
  return status.ok() ? 0 : Fail(status);
}

CLI::App* AddRowsCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("rows", "Output all rows in the specified table");
  cmd->set_help_flag("--help", "Show this message and exit");
  RowsFlags& f = rows_flags;
  cmd->add_option("path", f.path, "Database file")->required();
  cmd->add_option("table", f.table, "Table or view")->required();
  cmd->add_option("-c,--column", f.columns, "Columns to return");
  cmd->add_option("--where", f.where, "Optional where clause");
  cmd->add_option("-o,--order", f.order, "Order by ('column' or 'column desc')");
  cmd->add_option("-p,--param", f.params, "Named :parameter for the where clause: NAME VALUE")
      ->expected(2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->add_option("--limit", f.limit, "Number of rows to return - defaults to everything");
  cmd->add_option("--offset", f.offset, "SQL offset to use");
  AddOutputFlags(cmd, f.output, false);
  return cmd;
}

int RunRows() {
  RowsFlags& f = rows_flags;
  Result<std::unique_ptr<db::Connection>> conn = OpenDatabase(f.path, true);
  if (!conn.ok()) return Fail(conn.status());
  std::string sql = sql::SelectRowsSql(f.table, f.columns, f.where, f.order, f.limit, f.offset);
  Status status = RunAndPrint(**conn, sql, Pairs(f.params), f.output);
  return status.ok() ? 0 : Fail(status);
}

}  // namespace almanac::cli
