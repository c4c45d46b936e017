#include "cli/insert.h"

#include <chrono>
#include <cstdio>

#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/progress.h"
#include "ingest/importer.h"
#include "ingest/record_source.h"

namespace almanac::cli {
namespace {

struct InsertFlags {
  std::string path, table, file;
  std::vector<std::string> pk, not_null, defaults, types;
  bool flatten = false, nl = false, csv = false, tsv = false, empty_null = false;
  bool lines = false, text = false, sniff = false, no_headers = false;
  std::string delimiter, quotechar, encoding;
  int64_t batch_size = 0, stop_after = 0;
  bool alter = false, no_detect_types = false, analyze = false, silent = false, strict = false;
  bool ignore = false, replace = false, truncate = false;
  std::string python;  // --convert / --code / --import: not supported
};

InsertFlags insert_flags, upsert_flags;
CLI::App* batch_option_owner[2] = {nullptr, nullptr};

void AddFlags(CLI::App* cmd, InsertFlags& f, bool upsert) {
  cmd->set_help_flag("--help", "Show this message and exit");
  cmd->add_option("path", f.path, "Database file (created when missing)")->required();
  cmd->add_option("table", f.table, "Table to write to (created when missing)")->required();
  cmd->add_option("file", f.file, "CSV, TSV, JSON or newline-delimited JSON file; - for stdin")
      ->required();
  cmd->add_option("--pk", f.pk, "Column to use as the primary key (repeat for a compound key)");
  cmd->add_flag("--flatten", f.flatten, "Flatten nested JSON objects: {\"a\": {\"b\": 1}} -> a_b");
  cmd->add_flag("--nl", f.nl, "Expect newline-delimited JSON");
  cmd->add_flag("-c,--csv", f.csv, "Expect CSV input");
  cmd->add_flag("--tsv", f.tsv, "Expect TSV input");
  cmd->add_flag("--empty-null", f.empty_null, "Treat empty CSV/TSV cells as NULL");
  cmd->add_flag("--lines", f.lines, "Treat each line as a single value called 'line'");
  cmd->add_flag("--text", f.text, "Treat input as a single value called 'text'");
  cmd->add_option("--delimiter", f.delimiter, "Delimiter to use for CSV files");
  cmd->add_option("--quotechar", f.quotechar, "Quote character to use for CSV/TSV");
  cmd->add_flag("--sniff", f.sniff, "Detect delimiter and quote character");
  cmd->add_flag("--no-headers", f.no_headers, "CSV file has no header row");
  cmd->add_option("--encoding", f.encoding, "Character encoding for input, defaults to utf-8");
  batch_option_owner[upsert] = cmd;
  cmd->add_option("--batch-size", f.batch_size,
                  "Commit every X records (default: everything in one transaction)");
  cmd->add_option("--stop-after", f.stop_after, "Stop after X records");
  cmd->add_flag("--alter", f.alter, "Alter existing table to add any missing columns");
  cmd->add_option("--not-null", f.not_null, "Columns that should be created as NOT NULL");
  cmd->add_option("--default", f.defaults, "Default value for a column: COLUMN VALUE")
      ->expected(2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->add_option("--type", f.types,
                  "Column type to use when creating the table: COLUMN TYPE (INTEGER, TEXT, "
                  "FLOAT, REAL, BLOB or ANY)")
      ->expected(2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->add_flag("--no-detect-types", f.no_detect_types, "Treat all CSV/TSV columns as TEXT");
  cmd->add_flag("--analyze", f.analyze, "Run ANALYZE at the end of this operation");
  cmd->add_flag("--silent", f.silent, "Do not show progress bar or summary");
  cmd->add_flag("--strict", f.strict, "Apply STRICT mode to created table");
  for (const char* python : {"--convert", "--code", "--import"}) {
    cmd->add_option(python, f.python, "Not supported: Python code (sqlite-utils only)");
  }
  if (!upsert) {
    cmd->add_flag("--ignore", f.ignore, "Ignore records if pk already exists");
    cmd->add_flag("--replace", f.replace, "Replace records if pk already exists");
    cmd->add_flag("--truncate", f.truncate,
                  "Truncate table before inserting records, if table already exists");
  }
}

Result<char> OneChar(const std::string& flag, const std::string& value) {
  if (value == "\\t" || value == "tab") return '\t';
  if (value.size() != 1) return InvalidArgument(flag + " must be a single character");
  return value[0];
}

Result<ingest::InputOptions> InputFor(const InsertFlags& f) {
  if (!f.python.empty()) {
    return InvalidArgument("--convert, --code and --import run Python code: use sqlite-utils");
  }
  bool csv = f.csv;
  if ((!f.delimiter.empty() || !f.quotechar.empty() || f.sniff || f.no_headers) && !f.tsv) {
    csv = true;
  }
  if (f.nl + csv + f.tsv + f.lines + f.text >= 2) {
    return InvalidArgument("Use just one of --nl, --csv, --tsv, --lines or --text");
  }
  if ((csv || f.tsv) && f.flatten) {
    return InvalidArgument("--flatten cannot be used with --csv or --tsv");
  }
  ingest::InputOptions in;
  if (csv) in.format = ingest::InputFormat::kCsv;
  if (f.tsv) in.format = ingest::InputFormat::kTsv;
  if (f.nl) in.format = ingest::InputFormat::kNdjson;
  if (f.lines) in.format = ingest::InputFormat::kLines;
  if (f.text) in.format = ingest::InputFormat::kText;
  if (!f.delimiter.empty()) {
    ALM_ASSIGN_OR_RETURN(in.delimiter, OneChar("--delimiter", f.delimiter));
  }
  if (!f.quotechar.empty()) {
    ALM_ASSIGN_OR_RETURN(in.quote, OneChar("--quotechar", f.quotechar));
  }
  in.sniff = f.sniff;
  in.no_headers = f.no_headers;
  in.encoding = f.encoding;
  in.flatten = f.flatten;
  in.empty_null = f.empty_null;
  return in;
}

Result<ingest::ImportOptions> ImportFor(const InsertFlags& f, bool upsert, bool batch_given) {
  if (f.ignore && f.replace) return InvalidArgument("Use just one of --ignore and --replace");
  ingest::ImportOptions o;
  o.table = f.table;
  o.upsert = upsert;
  o.on_conflict = f.ignore    ? sql::OnConflict::kIgnore
                  : f.replace ? sql::OnConflict::kReplace
                              : sql::OnConflict::kAbort;
  o.spec.pk = f.pk;
  o.spec.not_null = f.not_null;
  for (size_t i = 0; i + 1 < f.defaults.size(); i += 2) {
    o.spec.defaults.emplace_back(f.defaults[i], f.defaults[i + 1]);
  }
  for (size_t i = 0; i + 1 < f.types.size(); i += 2) {
    std::optional<ingest::ColumnType> type = ingest::ColumnTypeByName(f.types[i + 1]);
    if (!type) {
      return InvalidArgument("--type " + f.types[i] + " " + f.types[i + 1] +
                             ": the type must be INTEGER, TEXT, FLOAT, REAL, BLOB or ANY");
    }
    o.types.emplace_back(f.types[i], *type);
  }
  o.detect_types = !f.no_detect_types;
  o.alter = f.alter;
  o.truncate = f.truncate;
  o.strict = f.strict;
  o.analyze = f.analyze;
  if (batch_given && f.batch_size < 1) return InvalidArgument("--batch-size must be at least 1");
  o.commit_every = batch_given ? f.batch_size : 0;
  o.stop_after = f.stop_after;
  return o;
}

std::string Summary(const ingest::ImportResult& result, const std::string& table, bool upsert,
                    double seconds) {
  const ingest::WriteCounts& c = result.counts;
  std::string out = upsert ? "Upserted into " + table + ": " + WithCommas(c.inserted) +
                                 " inserted, " + WithCommas(c.updated) + " updated"
                           : "Inserted " + WithCommas(c.inserted) + " rows into " + table;
  if (c.skipped) out += ", " + WithCommas(c.skipped) + " skipped";
  if (result.created) out += " (new table)";
  char time[32];
  std::snprintf(time, sizeof time, " in %.2fs", seconds);
  return out + time;
}

int Run(const InsertFlags& f, bool upsert) {
  auto start = std::chrono::steady_clock::now();
  bool batch_given = batch_option_owner[upsert]->count("--batch-size") > 0;
  Result<ingest::InputOptions> in = InputFor(f);
  if (!in.ok()) return Fail(in.status());
  Result<ingest::ImportOptions> options = ImportFor(f, upsert, batch_given);
  if (!options.ok()) return Fail(options.status());
  Result<std::unique_ptr<ingest::ByteSource>> bytes = ingest::OpenFile(f.file);
  if (!bytes.ok()) return Fail(bytes.status());
  Result<std::unique_ptr<ingest::RecordSource>> records =
      ingest::OpenRecords(std::move(bytes).value(), f.file, *in);
  if (!records.ok()) return Fail(records.status());
  Result<std::unique_ptr<db::Connection>> conn = OpenDatabase(f.path);
  if (!conn.ok()) return Fail(conn.status());
  ProgressBar bar(!f.silent && isatty(STDERR_FILENO));
  Result<ingest::ImportResult> result = ingest::Import(**conn, **records, *options, &bar);
  bar.Finish();
  if (!result.ok()) return Fail(result.status());
  if (!f.silent) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "%s\n", Summary(*result, f.table, upsert, seconds).c_str());
  }
  return 0;
}

}  // namespace

CLI::App* AddInsertCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "insert", "Insert records from FILE (CSV, TSV, JSON, NDJSON) into a table, creating it");
  AddFlags(cmd, insert_flags, false);
  return cmd;
}

CLI::App* AddUpsertCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "upsert", "Insert records from FILE, updating those whose primary key already exists");
  AddFlags(cmd, upsert_flags, true);
  return cmd;
}

int RunInsert() { return Run(insert_flags, false); }
int RunUpsert() { return Run(upsert_flags, true); }

}  // namespace almanac::cli
