// `almanac tables DB` (--counts, --columns, --schema, --fts4, --fts5), `almanac views DB` and
// `almanac schema DB [TABLE...]`: the catalog as sqlite-utils lists it (sqlite_master order).
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddTablesCommand(CLI::App& app);
CLI::App* AddViewsCommand(CLI::App& app);
CLI::App* AddSchemaCommand(CLI::App& app);
int RunTables();
int RunViews();
int RunSchema();

}  // namespace almanac::cli
