// The `almanac client` commands, one function each, as dclient 0.5a3 defines them (same
// arguments, output and error texts; "Error: ..." is printed by the caller). Each takes its
// parsed options, the loaded ConfigStore and where to print; none of them exits.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/config_store.h"
#include "client/resolve.h"
#include "client/row_output.h"
#include "core/status.h"

namespace almanac::client {

struct Io {
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

// ---- reading (read_commands.cc, rows_command.cc)
struct QueryOptions {
  TargetFlags target;
  std::optional<std::string> database;  // `query DB SQL`; unset: the default database
  std::string sql;
  std::vector<std::pair<std::string, std::string>> params;  // -p name value
  OutputFormat format = OutputFormat::kJson;
  bool verbose = false;
};
Status RunQuery(const QueryOptions& options, ConfigStore& config, Io io);

struct ListOptions {
  TargetFlags target;
  bool json = false;
  bool views = false, views_only = false, hidden = false;  // tables
  std::optional<std::string> table;                        // schema
  std::string path;                                        // get
};
Status RunDatabases(const ListOptions& options, ConfigStore& config, Io io);
Status RunTables(const ListOptions& options, ConfigStore& config, Io io);
Status RunSchema(const ListOptions& options, ConfigStore& config, Io io);
Status RunPlugins(const ListOptions& options, ConfigStore& config, Io io);
Status RunActor(const ListOptions& options, ConfigStore& config, Io io);
Status RunGet(const ListOptions& options, ConfigStore& config, Io io);

struct RowsOptions {
  TargetFlags target;
  std::string db_or_table;
  std::optional<std::string> table;
  std::vector<std::string> filters;  // COL OP VALUE triples, flattened
  std::optional<std::string> search, sort, sort_desc;
  std::vector<std::string> columns, nocolumns;
  std::optional<int> size, limit;
  bool all = false;
  bool verbose = false;
  OutputFormat format = OutputFormat::kJson;
};
Status RunRows(const RowsOptions& options, ConfigStore& config, Io io);

// ---- writing (insert.cc, write_commands.cc)
struct InsertOptions {
  TargetFlags target;
  std::string database, table, path;  // path "-" is standard input
  std::optional<std::string> format;  // "csv", "tsv", "json", "nl"
  std::optional<std::string> encoding;
  bool no_detect_types = false;
  bool alter = false;
  std::vector<std::string> pks;
  std::optional<int> batch_size;  // default: the server's max_insert_rows
  double interval = 10;
  bool silent = false, verbose = false;
  bool replace = false, ignore = false, create = false;
  bool upsert = false;
  int retries = 5;
};
Status RunInsert(const InsertOptions& options, ConfigStore& config, Io io);

struct CreateTableOptions {
  TargetFlags target;
  std::string database, table;
  std::vector<std::string> columns;  // NAME TYPE pairs, flattened
  std::vector<std::string> pks;
  bool verbose = false;
};
Status RunCreateTable(const CreateTableOptions& options, ConfigStore& config, Io io);

struct DropOptions {
  TargetFlags target;
  std::string database, table;
  bool yes = false;
};
Status RunDrop(const DropOptions& options, ConfigStore& config, Io io);

// ---- instances, aliases, defaults, tokens (config_commands.cc, login.cc)
Status RunInstances(bool json, ConfigStore& config, Io io);
Status RunAliasList(bool json, ConfigStore& config, Io io);
Status RunAliasAdd(const std::string& name, const std::string& url, ConfigStore& config);
Status RunAliasRemove(const std::string& name, ConfigStore& config);
Status RunDefaultInstance(const std::optional<std::string>& alias_or_url, bool clear,
                          ConfigStore& config, Io io);
Status RunDefaultDatabase(const std::string& alias_or_url, const std::optional<std::string>& db,
                          bool clear, ConfigStore& config, Io io);
// `token` unset: prompted for without echo on a terminal, else one line of standard input.
Status RunAuthAdd(const std::string& alias_or_url, std::optional<std::string> token,
                  ConfigStore& config, Io io);
Status RunAuthList(ConfigStore& config, Io io);
Status RunAuthRemove(const std::string& alias_or_url, ConfigStore& config);

struct LoginOptions {
  std::optional<std::string> alias_or_url;
  std::optional<std::string> scope;
  bool read_all = false, write_all = false;
  std::vector<std::string> read, write;
  bool token_only = false;
};
Status RunLogin(const LoginOptions& options, ConfigStore& config, Io io);
// dclient's _merge_scopes: the JSON scope list, or "" when nothing was asked for.
Result<std::string> MergeScopes(const LoginOptions& options);

}  // namespace almanac::client
