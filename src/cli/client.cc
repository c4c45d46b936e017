#include "cli/client.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/commands.h"

namespace almanac::cli {
namespace {

using client::OutputFormat;

CLI::App* client_command = nullptr;

constexpr auto kTakeAll = CLI::MultiOptionPolicy::TakeAll;

// dclient's options that every remote command shares.
void AddTarget(CLI::App* sub, client::TargetFlags& t, bool with_database) {
  sub->add_option("-i,--instance", t.instance, "Datasette instance URL or alias");
  if (with_database) sub->add_option("-d,--database", t.database, "Database name");
  sub->add_option("--token", t.token, "API token");
}

void AddMulti(CLI::App* sub, const std::string& name, std::vector<std::string>& into, int nargs,
              const std::string& help) {
  sub->add_option(name, into, help)
      ->expected(nargs)
      ->multi_option_policy(kTakeAll)
      ->allow_extra_args(false);
}

struct FormatFlags {
  bool csv = false, tsv = false, nl = false, table = false;
  OutputFormat Get() const {
    if (csv) return OutputFormat::kCsv;
    if (tsv) return OutputFormat::kTsv;
    if (nl) return OutputFormat::kNl;
    if (table) return OutputFormat::kTable;
    return OutputFormat::kJson;
  }
};

void AddFormats(CLI::App* sub, FormatFlags& f) {
  sub->add_flag("--csv", f.csv, "Output as CSV");
  sub->add_flag("--tsv", f.tsv, "Output as TSV");
  sub->add_flag("--nl", f.nl, "Output as newline-delimited JSON");
  sub->add_flag("-t,--table", f.table, "Output as ASCII table");
}

CLI::App* Command(CLI::App& parent, const std::string& name, const std::string& help) {
  CLI::App* sub = parent.add_subcommand(name, help);
  sub->set_help_flag("--help", "Show this message and exit");
  return sub;
}

// Every command's options, alive while the chosen command runs.
struct Args {
  client::QueryOptions query, default_query;
  std::vector<std::string> query_params, default_params;
  FormatFlags query_format, default_format, rows_format;
  client::ListOptions list;
  client::RowsOptions rows;
  client::InsertOptions insert;
  bool csv = false, tsv = false, json = false, nl = false;
  client::CreateTableOptions create_table;
  client::DropOptions drop;
  client::LoginOptions login;
  bool json_out = false, clear = false;
  std::string name, url, alias_or_url;
  std::optional<std::string> optional_name, database, token;
};

// The commands, each with the function that runs it once the arguments are parsed.
using Runner = std::function<Status(client::ConfigStore&, client::Io)>;
using Commands = std::vector<std::pair<CLI::App*, Runner>>;

void AddReadCommands(CLI::App& app, Args& a, Commands& out) {
  CLI::App* get = Command(app, "get", "Make an authenticated GET request to a Datasette instance");
  get->add_option("path", a.list.path)->required();
  AddTarget(get, a.list.target, false);
  out.push_back({get, [&a](auto& c, auto io) { return client::RunGet(a.list, c, io); }});

  CLI::App* dbs = Command(app, "databases", "List databases on an instance");
  AddTarget(dbs, a.list.target, false);
  dbs->add_flag("--json", a.list.json, "Output raw JSON");
  out.push_back({dbs, [&a](auto& c, auto io) { return client::RunDatabases(a.list, c, io); }});

  CLI::App* tables = Command(app, "tables", "List tables in a database");
  AddTarget(tables, a.list.target, true);
  tables->add_flag("--views", a.list.views, "Include views");
  tables->add_flag("--views-only", a.list.views_only, "Only show views");
  tables->add_flag("--hidden", a.list.hidden, "Include hidden tables");
  tables->add_flag("--json", a.list.json, "Output raw JSON");
  out.push_back({tables, [&a](auto& c, auto io) { return client::RunTables(a.list, c, io); }});

  CLI::App* schema = Command(app, "schema", "Show SQL schema for a database or specific table");
  schema->add_option("table_name", a.list.table);
  AddTarget(schema, a.list.target, true);
  schema->add_flag("--json", a.list.json, "Output raw JSON");
  out.push_back({schema, [&a](auto& c, auto io) { return client::RunSchema(a.list, c, io); }});

  CLI::App* plugins = Command(app, "plugins", "List installed plugins on an instance");
  AddTarget(plugins, a.list.target, false);
  plugins->add_flag("--json", a.list.json, "Output raw JSON");
  out.push_back({plugins, [&a](auto& c, auto io) { return client::RunPlugins(a.list, c, io); }});

  CLI::App* actor = Command(app, "actor", "Show the actor represented by an API token");
  AddTarget(actor, a.list.target, false);
  out.push_back({actor, [&a](auto& c, auto io) { return client::RunActor(a.list, c, io); }});
}

void AddQueryCommands(CLI::App& app, Args& a, Commands& out) {
  CLI::App* query = Command(app, "query", "Run a SQL query against a Datasette database");
  query->add_option("database", a.query.database)->required();
  query->add_option("sql", a.query.sql)->required();
  AddTarget(query, a.query.target, false);
  AddMulti(query, "-p,--param", a.query_params, 2, "Named parameter: name value");
  query->add_flag("-v,--verbose", a.query.verbose, "Verbose output: show HTTP request");
  AddFormats(query, a.query_format);
  out.push_back({query, [&a](auto& c, auto io) {
                   a.query.format = a.query_format.Get();
                   for (size_t i = 0; i + 1 < a.query_params.size(); i += 2)
                     a.query.params.emplace_back(a.query_params[i], a.query_params[i + 1]);
                   return client::RunQuery(a.query, c, io);
                 }});

  CLI::App* bare = Command(app, "default_query", "");
  bare->group("");  // hidden: `almanac client "select ..."` lands here
  bare->add_option("sql", a.default_query.sql)->required();
  AddTarget(bare, a.default_query.target, true);
  AddMulti(bare, "-p,--param", a.default_params, 2, "Named parameter: name value");
  bare->add_flag("-v,--verbose", a.default_query.verbose, "Verbose output: show HTTP request");
  AddFormats(bare, a.default_format);
  out.push_back({bare, [&a](auto& c, auto io) {
                   a.default_query.format = a.default_format.Get();
                   for (size_t i = 0; i + 1 < a.default_params.size(); i += 2)
                     a.default_query.params.emplace_back(a.default_params[i],
                                                         a.default_params[i + 1]);
                   return client::RunQuery(a.default_query, c, io);
                 }});

  CLI::App* rows = Command(app, "rows", "Browse rows in a table with filtering and sorting");
  rows->add_option("db_or_table", a.rows.db_or_table)->required();
  rows->add_option("table", a.rows.table);
  AddTarget(rows, a.rows.target, true);
  AddMulti(rows, "-f,--filter", a.rows.filters, 3,
           "Filter: column operation value (e.g. -f age gte 3)");
  rows->add_option("--search", a.rows.search, "Full-text search query");
  rows->add_option("--sort", a.rows.sort, "Sort by column (ascending)");
  rows->add_option("--sort-desc", a.rows.sort_desc, "Sort by column (descending)");
  AddMulti(rows, "--col", a.rows.columns, 1, "Include only these columns");
  AddMulti(rows, "--nocol", a.rows.nocolumns, 1, "Exclude these columns");
  rows->add_option("--size", a.rows.size, "Number of rows per page");
  rows->add_option("--limit", a.rows.limit, "Maximum total rows to return");
  rows->add_flag("--all", a.rows.all, "Fetch all pages (streamed)");
  rows->add_flag("-v,--verbose", a.rows.verbose, "Verbose output: show HTTP request");
  AddFormats(rows, a.rows_format);
  out.push_back({rows, [&a](auto& c, auto io) {
                   a.rows.format = a.rows_format.Get();
                   return client::RunRows(a.rows, c, io);
                 }});
}

CLI::App* AddInsertLike(CLI::App& app, const std::string& name, const std::string& help, Args& a) {
  client::InsertOptions& o = a.insert;
  CLI::App* sub = Command(app, name, help);
  sub->add_option("database", o.database)->required();
  sub->add_option("table", o.table)->required();
  sub->add_option("filepath", o.path)->required();
  AddTarget(sub, o.target, false);
  sub->add_flag("--csv", a.csv, "Input is CSV");
  sub->add_flag("--tsv", a.tsv, "Input is TSV");
  sub->add_flag("--json", a.json, "Input is JSON");
  sub->add_flag("--nl", a.nl, "Input is newline-delimited JSON");
  sub->add_option("--encoding", o.encoding, "Character encoding for CSV/TSV");
  sub->add_flag("--no-detect-types", o.no_detect_types, "Don't detect column types for CSV/TSV");
  sub->add_flag("--alter", o.alter, "Alter table to add any missing columns");
  AddMulti(sub, "--pk", o.pks, 1, "Columns to use as the primary key when creating the table");
  sub->add_option("--batch-size", o.batch_size,
                  "Send rows in batches of this size (default: the server's max_insert_rows)");
  sub->add_option("--interval", o.interval, "Send batch at least every X seconds");
  sub->add_flag("--silent", o.silent, "Don't output progress");
  sub->add_flag("-v,--verbose", o.verbose, "Verbose output: show HTTP request and response");
  sub->add_option("--retries", o.retries, "Times to retry a batch the server did not take");
  return sub;
}

void AddWriteCommands(CLI::App& app, Args& a, Commands& out) {
  auto run = [&a](bool upsert) {
    return [&a, upsert](client::ConfigStore& c, client::Io io) {
      a.insert.upsert = upsert;
      if (a.csv) a.insert.format = "csv";
      if (a.tsv) a.insert.format = "tsv";
      if (a.json) a.insert.format = "json";
      if (a.nl) a.insert.format = "nl";
      return client::RunInsert(a.insert, c, io);
    };
  };
  CLI::App* insert =
      AddInsertLike(app, "insert", "Insert data into a remote Datasette instance", a);
  insert->add_flag("--replace", a.insert.replace, "Replace rows with a matching primary key");
  insert->add_flag("--ignore", a.insert.ignore, "Ignore rows with a matching primary key");
  insert->add_flag("--create", a.insert.create, "Create table if it does not exist");
  out.push_back({insert, run(false)});
  CLI::App* upsert =
      AddInsertLike(app, "upsert", "Upsert data into a remote Datasette instance", a);
  out.push_back({upsert, run(true)});

  client::CreateTableOptions& ct = a.create_table;
  CLI::App* create =
      Command(app, "create-table", "Create a new empty table with an explicit schema");
  create->add_option("database", ct.database)->required();
  create->add_option("table_name", ct.table)->required();
  AddMulti(create, "-c,--column", ct.columns, 2, "Column definition: name type");
  AddMulti(create, "--pk", ct.pks, 1, "Column(s) to use as primary key");
  AddTarget(create, ct.target, false);
  create->add_flag("-v,--verbose", ct.verbose, "Verbose output: show HTTP request and response");
  out.push_back(
      {create, [&a](auto& c, auto io) { return client::RunCreateTable(a.create_table, c, io); }});

  CLI::App* drop = Command(app, "drop", "Drop a table (asks first, unless --yes)");
  drop->add_option("database", a.drop.database)->required();
  drop->add_option("table", a.drop.table)->required();
  AddTarget(drop, a.drop.target, false);
  drop->add_flag("-y,--yes", a.drop.yes, "Drop without asking");
  out.push_back({drop, [&a](auto& c, auto io) { return client::RunDrop(a.drop, c, io); }});
}

void AddConfigCommands(CLI::App& app, Args& a, Commands& out) {
  CLI::App* instances = Command(app, "instances", "List known instances from the config");
  instances->add_flag("--json", a.json_out, "Output raw JSON");
  out.push_back(
      {instances, [&a](auto& c, auto io) { return client::RunInstances(a.json_out, c, io); }});

  CLI::App* alias = Command(app, "alias", "Manage aliases for different instances");
  alias->require_subcommand(1);
  CLI::App* list = Command(*alias, "list", "List aliases");
  list->add_flag("--json", a.json_out, "Output raw JSON");
  out.push_back({list, [&a](auto& c, auto io) { return client::RunAliasList(a.json_out, c, io); }});
  CLI::App* add = Command(*alias, "add", "Add an alias for a Datasette instance");
  add->add_option("name", a.name)->required();
  add->add_option("url", a.url)->required();
  out.push_back({add, [&a](auto& c, auto) { return client::RunAliasAdd(a.name, a.url, c); }});
  CLI::App* remove = Command(*alias, "remove", "Remove an alias");
  remove->add_option("name", a.name)->required();
  out.push_back({remove, [&a](auto& c, auto) { return client::RunAliasRemove(a.name, c); }});

  CLI::App* def = Command(app, "default", "Manage default instance and database");
  def->require_subcommand(1);
  CLI::App* di = Command(*def, "instance", "Set or show the default instance");
  di->add_option("alias_or_url", a.optional_name);
  di->add_flag("--clear", a.clear, "Clear default instance");
  out.push_back({di, [&a](auto& c, auto io) {
                   return client::RunDefaultInstance(a.optional_name, a.clear, c, io);
                 }});
  CLI::App* dd = Command(*def, "database", "Set or show the default database for an instance");
  dd->add_option("alias_or_url", a.alias_or_url)->required();
  dd->add_option("db", a.database);
  dd->add_flag("--clear", a.clear, "Clear default database for this instance");
  out.push_back({dd, [&a](auto& c, auto io) {
                   return client::RunDefaultDatabase(a.alias_or_url, a.database, a.clear, c, io);
                 }});

  CLI::App* auth = Command(app, "auth", "Manage authentication for different instances");
  auth->require_subcommand(1);
  CLI::App* auth_add = Command(*auth, "add", "Add an authentication token for an alias or URL");
  auth_add->add_option("alias_or_url", a.alias_or_url)->required();
  auth_add->add_option("--token", a.token, "The token (prompted for when not given)");
  out.push_back({auth_add, [&a](auto& c, auto io) {
                   return client::RunAuthAdd(a.alias_or_url, a.token, c, io);
                 }});
  CLI::App* auth_list = Command(*auth, "list", "List stored API tokens");
  out.push_back({auth_list, [](auto& c, auto io) { return client::RunAuthList(c, io); }});
  CLI::App* auth_remove = Command(*auth, "remove", "Remove the API token for an alias or URL");
  auth_remove->add_option("alias_or_url", a.alias_or_url)->required();
  out.push_back(
      {auth_remove, [&a](auto& c, auto) { return client::RunAuthRemove(a.alias_or_url, c); }});
  CLI::App* status = Command(*auth, "status", "Verify authentication by calling /-/actor.json");
  AddTarget(status, a.list.target, false);
  out.push_back({status, [&a](auto& c, auto io) { return client::RunActor(a.list, c, io); }});

  client::LoginOptions& l = a.login;
  CLI::App* login = Command(app, "login", "Authenticate with a Datasette instance using OAuth");
  login->add_option("alias_or_url", l.alias_or_url);
  login->add_option("--scope", l.scope, "JSON scope array");
  login->add_flag("--read-all", l.read_all, "Request instance-wide read access");
  login->add_flag("--write-all", l.write_all, "Request instance-wide write access");
  AddMulti(login, "--read", l.read, 1, "Request read access for a database or database/table");
  AddMulti(login, "--write", l.write, 1, "Request write access for a database or database/table");
  login->add_flag("--token-only", l.token_only, "Output the token to stdout instead of saving it");
  out.push_back({login, [&a](auto& c, auto io) { return client::RunLogin(a.login, c, io); }});
}

}  // namespace

CLI::App* AddClientCommand(CLI::App& app) {
  client_command = app.add_subcommand(
      "client", "Query and write to a remote Almanac or Datasette (dclient's commands)");
  client_command->prefix_command();
  client_command->set_help_flag();
  return client_command;
}

int RunClient() {
  std::vector<std::string> args = client_command->remaining();
  CLI::App app{"A client for Almanac and Datasette instances (dclient's commands)",
               "almanac client"};
  app.set_help_flag("--help", "Show this message and exit");
  app.set_version_flag("--version", std::string("almanac client, version ") + ALMANAC_VERSION);
  app.require_subcommand(1);
  Args a;
  Commands commands;
  AddReadCommands(app, a, commands);
  AddQueryCommands(app, a, commands);
  AddWriteCommands(app, a, commands);
  AddConfigCommands(app, a, commands);
  // dclient's default group: anything that is not a command is SQL for the default database.
  bool known = args.empty() || args[0] == "--help" || args[0] == "--version";
  for (const auto& [sub, run] : commands) known = known || sub->get_name() == args[0];
  known = known || args[0] == "alias" || args[0] == "default" || args[0] == "auth";
  if (!known) args.insert(args.begin(), "default_query");
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  Result<client::ConfigStore> config =
      client::ConfigStore::Load(client::DefaultConfigPaths(), stderr);
  if (!config.ok()) {
    std::fprintf(stderr, "Error: %s\n", config.status().message().c_str());
    return 1;
  }
  for (const auto& [sub, run] : commands) {
    if (!sub->parsed()) continue;
    Status status = run(*config, client::Io{});
    std::fflush(stdout);
    if (status.ok()) return 0;
    std::fprintf(stderr, "Error: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace almanac::cli
