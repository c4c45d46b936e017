#include "cli/tables.h"

#include <cstdio>

#include "cli/cli_util.h"
#include "cli/query_output.h"
#include "format/json_writer.h"
#include "sql/query.h"

namespace almanac::cli {
namespace {

struct TablesFlags {
  std::string path;
  bool fts4 = false, fts5 = false, counts = false, columns = false, schema = false;
  OutputFlags output;
};

struct SchemaFlags {
  std::string path;
  std::vector<std::string> tables;
};

TablesFlags tables_flags, views_flags;
SchemaFlags schema_flags;

Result<std::vector<Value>> Column(db::Connection& conn, sql::Query query) {
  ALM_ASSIGN_OR_RETURN(db::Statement statement, conn.Prepare(query));
  std::vector<Value> out;
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool row, statement.Step());
    if (!row) return out;
    out.push_back(statement.Column(0));
  }
}

// Python's repr() of a list of strings: ['a', "it's"].
std::string PyListRepr(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& s = items[i];
    char q = s.find('\'') != std::string::npos && s.find('"') == std::string::npos ? '"' : '\'';
    out += i ? ", " : "";
    out += q;
    for (char c : s) {
      if (c == q || c == '\\') out += '\\';
      out += c;
    }
    out += q;
  }
  return out + "]";
}

CLI::App* AddListCommand(CLI::App& app, const char* name, const char* help, TablesFlags& f,
                         bool views) {
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->set_help_flag("--help", "Show this message and exit");
  cmd->add_option("path", f.path, "Database file")->required();
  if (!views) {
    cmd->add_flag("--fts4", f.fts4, "Just show FTS4 enabled tables");
    cmd->add_flag("--fts5", f.fts5, "Just show FTS5 enabled tables");
  }
  cmd->add_flag("--counts", f.counts, "Include row counts per table");
  cmd->add_flag("--columns", f.columns, "Include list of columns for each table");
  cmd->add_flag("--schema", f.schema, "Include schema for each table");
  AddOutputFlags(cmd, f.output, false);
  return cmd;
}

Result<std::vector<std::vector<Value>>> ListRows(db::Connection& conn, const TablesFlags& f,
                                                 bool views) {
  sql::QueryBuilder b;
  b.Add(views ? sql::Fragment("select name, sql from sqlite_master where type = 'view'")
              : sql::Fragment("select name, sql from sqlite_master where type = 'table'"));
  if (f.fts4) b.Add(" AND sql like '%USING FTS4%'");
  if (f.fts5) b.Add(" AND sql like '%USING FTS5%'");
  ALM_ASSIGN_OR_RETURN(db::Statement statement, conn.Prepare(std::move(b).Build()));
  std::vector<std::pair<std::string, Value>> items;
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool row, statement.Step());
    if (!row) break;
    items.emplace_back(std::string(statement.ColumnText(0)), statement.Column(1));
  }
  std::vector<std::vector<Value>> rows;
  bool as_text = f.output.csv || f.output.tsv;
  bool as_repr = f.output.table || !f.output.fmt.empty();
  for (const auto& [name, schema] : items) {
    std::vector<Value> row = {Value::Text(name)};
    sql::Identifier id = sql::Identifier::FromSchema(name);
    if (f.counts) {
      sql::QueryBuilder count;
      count.Add("select count(*) from ").Add(id);
      ALM_ASSIGN_OR_RETURN(std::vector<Value> n, Column(conn, std::move(count).Build()));
      row.push_back(n.at(0));
    }
    if (f.columns) {
      sql::QueryBuilder cols;
      cols.Add("select name from pragma_table_info(").Bind(Value::Text(name)).Add(")");
      ALM_ASSIGN_OR_RETURN(std::vector<Value> names, Column(conn, std::move(cols).Build()));
      std::vector<std::string> list;
      for (const Value& v : names) list.push_back(v.text());
      std::string joined, json = "[";
      for (size_t i = 0; i < list.size(); ++i) {
        joined += (i ? "\n" : "") + list[i];
        json += i ? ", " : "";
        format::AppendJsonString(list[i], json, false);
      }
      row.push_back(Value::Text(as_text ? joined : as_repr ? PyListRepr(list) : json + "]"));
    }
    if (f.schema) row.push_back(schema);
    rows.push_back(std::move(row));
  }
  return rows;
}

int RunList(const TablesFlags& f, bool views) {
  Result<std::unique_ptr<db::Connection>> conn = OpenDatabase(f.path, true);
  if (!conn.ok()) return Fail(conn.status());
  Result<std::vector<std::vector<Value>>> rows = ListRows(**conn, f, views);
  if (!rows.ok()) return Fail(rows.status());
  std::vector<std::string> headers = {views ? "view" : "table"};
  if (f.counts) headers.push_back("count");
  if (f.columns) headers.push_back("columns");
  if (f.schema) headers.push_back("schema");
  std::vector<bool> raw(headers.size(), false);
  if (f.columns) raw[f.counts ? 2 : 1] = true;
  Status status = PrintRows(headers, *rows, f.output, raw);
  return status.ok() ? 0 : Fail(status);
}

}  // namespace

CLI::App* AddTablesCommand(CLI::App& app) {
  return AddListCommand(app, "tables", "List the tables in the database", tables_flags, false);
}

CLI::App* AddViewsCommand(CLI::App& app) {
  return AddListCommand(app, "views", "List the views in the database", views_flags, true);
}

int RunTables() { return RunList(tables_flags, false); }
int RunViews() { return RunList(views_flags, true); }

CLI::App* AddSchemaCommand(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("schema", "Show full schema for this database or for specified tables");
  cmd->set_help_flag("--help", "Show this message and exit");
  cmd->add_option("path", schema_flags.path, "Database file")->required();
  cmd->add_option("tables", schema_flags.tables, "Tables to show (default: everything)");
  return cmd;
}

int RunSchema() {
  SchemaFlags& f = schema_flags;
  Result<std::unique_ptr<db::Connection>> conn = OpenDatabase(f.path, true);
  if (!conn.ok()) return Fail(conn.status());
  std::string out;
  if (f.tables.empty()) {
    Result<std::vector<Value>> sqls = Column(
        **conn,
        sql::QueryBuilder().Add("select sql from sqlite_master where sql is not null").query());
    if (!sqls.ok()) return Fail(sqls.status());
    for (size_t i = 0; i < sqls->size(); ++i) {
      std::string sql = (*sqls)[i].text();
      size_t end = sql.find_last_not_of(" \t\r\n");
      if (end == std::string::npos || sql[end] != ';') sql += ";";
      out += (i ? "\n" : "") + sql;
    }
  } else {
    for (const std::string& table : f.tables) {
      sql::QueryBuilder b;
      b.Add("select sql from sqlite_master where name = ").Bind(Value::Text(table));
      Result<std::vector<Value>> sql = Column(**conn, std::move(b).Build());
      if (!sql.ok()) return Fail(sql.status());
      if (sql->empty()) return Fail("Table not found: " + table);
      out += (out.empty() ? "" : "\n") + (*sql)[0].text();
    }
  }
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace almanac::cli
