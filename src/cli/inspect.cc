#include "cli/inspect.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "db/database.h"
#include "db/execute.h"
#include "format/json_value.h"
#include "sql/query.h"

namespace almanac::cli {
namespace {

using format::JsonValue;

struct InspectFlags {
  std::vector<std::string> files;
  std::string inspect_file = "-";
  std::vector<std::string> extensions;
};

InspectFlags& Flags() {
  static InspectFlags flags;
  return flags;
}

// Datasette's table_counts(): every table of sqlite_master, counted exactly; a table that
// cannot be counted (a virtual table whose module is missing, say) is null.
Result<JsonValue> TableCounts(db::Connection& conn) {
  sql::QueryBuilder names;
  names.Add("select name from sqlite_master where type = 'table'");
  ALM_ASSIGN_OR_RETURN(db::QueryResult tables, db::Execute(conn, names.query(), db::Limits{}));
  JsonValue counts = JsonValue::MakeObject();
  for (size_t i = 0; i < tables.rows.size(); ++i) {
    const std::string& name = tables.rows.at(i, 0).text();
    sql::QueryBuilder count;
    count.Add("select count(*) from ").Add(sql::Identifier::FromSchema(name));
    Result<db::QueryResult> result = db::Execute(conn, count.query(), db::Limits{});
    JsonValue value;
    if (result.ok() && !result->rows.empty() &&
        result->rows.at(0, 0).type() == Value::Type::kInteger) {
      value = JsonValue::Int(result->rows.at(0, 0).integer());
    }
    JsonValue entry = JsonValue::MakeObject();
    entry.Set("count", std::move(value));
    counts.Set(name, std::move(entry));
  }
  return counts;
}

Result<JsonValue> Inspect(db::Registry& registry, const std::string& path) {
  db::DatabaseOptions options;
  options.name = registry.UniqueNameFor(path);
  options.path = path;
  options.immutable = true;
  options.extensions = Flags().extensions;
  ALM_ASSIGN_OR_RETURN(std::unique_ptr<db::Database> database, db::Database::Open(options));
  ALM_ASSIGN_OR_RETURN(db::Connection * conn, database->ReadConnection());
  ALM_ASSIGN_OR_RETURN(JsonValue tables, TableCounts(*conn));
  JsonValue entry = JsonValue::MakeObject();
  const std::optional<std::string>& hash = database->ContentHash();
  entry.Set("hash", hash ? JsonValue::String(*hash) : JsonValue());
  entry.Set("size", JsonValue::Int(database->FileSize()));
  entry.Set("file", JsonValue::String(path));
  entry.Set("tables", std::move(tables));
  ALM_RETURN_IF_ERROR(registry.Add(std::move(database)));
  return entry;
}

}  // namespace

CLI::App* AddInspectCommand(CLI::App& app) {
  InspectFlags& flags = Flags();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Count the tables of database files ahead, for serve --inspect-file");
  cmd->set_help_flag("--help", "Show this message and exit");
  cmd->add_option("files", flags.files, "SQLite database files")->required();
  cmd->add_option("--inspect-file", flags.inspect_file, "Where to write the JSON (- for stdout)")
      ->capture_default_str();
  cmd->add_option("--load-extension", flags.extensions,
                  "Load a SQLite extension first: PATH or PATH:ENTRYPOINT (repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  return cmd;
}

int RunInspect() {
  InspectFlags& flags = Flags();
  db::Registry registry;
  JsonValue data = JsonValue::MakeObject();
  for (const std::string& file : flags.files) {
    Result<JsonValue> entry = Inspect(registry, file);
    if (!entry.ok()) return Fail(entry.status());
    data.Set(registry.all().back()->name(), std::move(entry).value());
  }
  std::string text = PrettyJson(data);
  if (flags.inspect_file == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  std::ofstream out(flags.inspect_file, std::ios::binary);
  out << text;
  out.close();
  if (!out) return Fail("could not write " + flags.inspect_file);
  return 0;
}

}  // namespace almanac::cli
