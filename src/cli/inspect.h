// `almanac inspect FILES...`: Datasette's `datasette inspect`. Each file's SHA-256, size, path
// and exact table row counts as JSON (indent 2), written to --inspect-file (default stdout), so
// that `almanac serve -i FILE --inspect-file counts.json` starts with the counts of its
// immutable databases instead of counting them on first use.
#pragma once

#include <CLI/CLI.hpp>

namespace almanac::cli {

CLI::App* AddInspectCommand(CLI::App& app);
int RunInspect();

}  // namespace almanac::cli
