// Running one SQL statement for the data commands and printing its rows with sqlite-utils'
// output flags (--nl, --arrays, --csv, --tsv, --no-headers, -t/--table, --fmt, --json-cols,
// -r/--raw, --raw-lines; JSON by default). A statement that returns no rows prints
// [{"rows_affected": N}], as sqlite-utils does.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/result.h"
#include "db/connection.h"
#include "format/rows_output.h"

namespace almanac::cli {

struct OutputFlags {
  bool json = false, nl = false, arrays = false, csv = false, tsv = false, no_headers = false;
  bool table = false, json_cols = false, raw = false, raw_lines = false;
  std::string fmt;
};

void AddOutputFlags(CLI::App* cmd, OutputFlags& flags, bool with_raw);
Result<format::RowsOutputOptions> RowsOptionsFor(const OutputFlags& flags);

// Runs `sql` (one statement; :name parameters from `params`, each required) and prints its rows
// to stdout as `flags` say.
Status RunAndPrint(db::Connection& conn, const std::string& sql,
                   const std::vector<std::pair<std::string, std::string>>& params,
                   const OutputFlags& flags);

// Prints rows the caller already has (tables, views).
Status PrintRows(const std::vector<std::string>& columns,
                 const std::vector<std::vector<Value>>& rows, const OutputFlags& flags,
                 const std::vector<bool>& raw_json = {});

// "-p name value" pairs from CLI11's flattened list.
std::vector<std::pair<std::string, std::string>> Pairs(const std::vector<std::string>& flat);

}  // namespace almanac::cli
