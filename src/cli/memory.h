// `almanac memory FILE... "SQL"`: each CSV/TSV/JSON/NDJSON file (or - for stdin) becomes a
// table of an in-memory database, named after the file (stdin: "stdin"; a :csv, :tsv, :json or
// :nl suffix names the format), with views t1, t2, ... (and t for the first); then the SQL runs
// with the query command's output flags. --schema prints the schema; --save FILE writes the
// database to a file instead.
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddMemoryCommand(CLI::App& app);
int RunMemory();

}  // namespace almanac::cli
