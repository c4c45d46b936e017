// `almanac transform DB TABLE` (--type, --drop, --rename, -o/--column-order, --not-null,
// --not-null-false, --pk, --pk-none, --default, --default-none, --add-foreign-key,
// --drop-foreign-key, --strict/--no-strict, --sql) and `almanac extract DB TABLE COLUMN...`
// (--table, --fk-column, --rename): sqlite-utils' commands over ingest/transform.h.
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddTransformCommand(CLI::App& app);
CLI::App* AddExtractCommand(CLI::App& app);
int RunTransform();
int RunExtract();

}  // namespace almanac::cli
