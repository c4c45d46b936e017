#include "cli/memory.h"

#include <cstdio>
#include <map>

#include "cli/cli_util.h"
#include "cli/query_output.h"
#include "core/text.h"
#include "ingest/importer.h"
#include "sql/bulk_sql.h"

namespace almanac::cli {
namespace {

struct MemoryFlags {
  std::vector<std::string> args;  // files, then the SQL
  std::vector<std::string> params;
  std::string encoding, save;
  bool flatten = false, no_detect_types = false, schema = false;
  OutputFlags output;
};

MemoryFlags flags;

struct Input {
  std::string path, table;
  std::optional<ingest::InputFormat> format;
};

std::vector<Input> Inputs(const std::vector<std::string>& paths) {
  std::vector<Input> inputs;
  std::map<std::string, int> stems;
  for (std::string path : paths) {
    Input in;
    size_t colon = path.rfind(':');
    if (colon != std::string::npos) {
      std::string suffix = AsciiLower(std::string_view(path).substr(colon + 1));
      using F = ingest::InputFormat;
      std::map<std::string, F> formats = {
          {"csv", F::kCsv}, {"tsv", F::kTsv}, {"json", F::kJson}, {"nl", F::kNdjson}};
      if (formats.count(suffix)) {
        in.format = formats[suffix];
        path.resize(colon);
      }
    }
    in.path = path == "stdin" ? "-" : path;
    if (in.path == "-") {
      in.table = "stdin";
    } else {
      std::string name = path.substr(path.rfind('/') + 1);
      std::string stem = name.substr(0, name.rfind('.') == 0 ? name.size() : name.rfind('.'));
      int& seen = stems[stem];
      in.table = seen ? stem + "_" + std::to_string(seen + 1) : stem;
      ++seen;
    }
    inputs.push_back(in);
  }
  return inputs;
}

Status Load(db::Connection& conn, const std::vector<Input>& inputs) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Input& in = inputs[i];
    ALM_ASSIGN_OR_RETURN(auto bytes, ingest::OpenFile(in.path));
    ingest::InputOptions input;
    input.format = in.format;
    input.encoding = flags.encoding;
    input.flatten = flags.flatten;
    ALM_ASSIGN_OR_RETURN(auto records, ingest::OpenRecords(std::move(bytes), in.path, input));
    ingest::ImportOptions options;
    options.table = in.table;
    options.alter = true;
    options.detect_types = !flags.no_detect_types;
    ALM_RETURN_IF_ERROR(ingest::Import(conn, *records, options).status());
    for (const std::string& view : {"t" + std::to_string(i + 1), std::string(i == 0 ? "t" : "")}) {
      if (view.empty()) continue;
      ALM_RETURN_IF_ERROR(
          conn.Exec(sql::CreateViewSql(view, "select * from " + sql::QuoteIdentifier(in.table))));
    }
  }
  return Status::Ok();
}

}  // namespace

CLI::App* AddMemoryCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "memory", "Execute SQL against an in-memory database of the given CSV, TSV or JSON files");
  cmd->set_help_flag("--help", "Show this message and exit");
  cmd->add_option("files_and_sql", flags.args, "Files (- for stdin), then the SQL")->required();
  cmd->add_option("-p,--param", flags.params, "Named :parameter for the SQL: NAME VALUE")
      ->expected(2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->add_option("--encoding", flags.encoding, "Character encoding for CSV input (utf-8)");
  cmd->add_flag("--flatten", flags.flatten, "Flatten nested JSON objects into a_b columns");
  cmd->add_flag("-n,--no-detect-types", flags.no_detect_types, "Treat all CSV/TSV columns as TEXT");
  cmd->add_flag("--schema", flags.schema, "Show SQL schema for in-memory database");
  cmd->add_option("--save", flags.save, "Save in-memory database to this file");
  AddOutputFlags(cmd, flags.output, true);
  return cmd;
}

int RunMemory() {
  bool no_sql = flags.schema || !flags.save.empty();
  std::vector<std::string> paths = flags.args;
  std::string sql;
  if (!no_sql) {
    sql = paths.back();
    paths.pop_back();
  }
  // A private in-memory database: one connection, so no shared cache (whose locking costs
  // every row of a scan).
  db::OpenOptions open;
  open.path = ":memory:";
  open.read_only = false;
  open.create = true;
  Result<std::unique_ptr<db::Connection>> conn = db::Connection::Open(open);
  if (!conn.ok()) return Fail(conn.status());
  Status loaded = Load(**conn, Inputs(paths));
  if (!loaded.ok()) return Fail(loaded);
  // The loaded pages stay in memory whatever the cache size; what it still sets is how much
  // SQLite's sorter (GROUP BY, ORDER BY, DISTINCT without an index) sorts in one piece before
  // merging. Small pieces (its 1 MB floor) sort in the CPU's cache: side by side, a 1.2M-row
  // GROUP BY took 1.54x the load time with -500, 1.75x with the default -2000 and 2.6x with
  // -64000; temp_store=memory and threads=2 were slower still (docs/cli.md, Speed).
  if (Status cache = (*conn)->Exec("PRAGMA cache_size=-500"); !cache.ok()) return Fail(cache);
  if (flags.schema) {
    OutputFlags raw;
    raw.raw_lines = true;
    Status s =
        RunAndPrint(**conn, "select sql || ';' from sqlite_master where sql is not null", {}, raw);
    return s.ok() ? 0 : Fail(s);
  }
  if (!flags.save.empty()) {
    Status s = (*conn)->Exec("VACUUM INTO " + sql::QuoteLiteral(flags.save));
    return s.ok() ? 0 : Fail(s);
  }
  Status status = RunAndPrint(**conn, sql, Pairs(flags.params), flags.output);
  return status.ok() ? 0 : Fail(status);
}

}  // namespace almanac::cli
