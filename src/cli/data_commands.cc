#include "cli/data_commands.h"

#include <functional>
#include <utility>
#include <vector>

#include "cli/ddl.h"
#include "cli/insert.h"
#include "cli/memory.h"
#include "cli/query.h"
#include "cli/tables.h"
#include "cli/transform.h"

namespace almanac::cli {
namespace {

std::vector<std::pair<CLI::App*, std::function<int()>>>& Commands() {
  static std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
  return commands;
}

}  // namespace

void AddDataCommands(CLI::App& app) {
  Commands() = {
      {AddInsertCommand(app), RunInsert},       {AddUpsertCommand(app), RunUpsert},
      {AddMemoryCommand(app), RunMemory},       {AddQueryCommand(app), RunQuery},
      {AddRowsCommand(app), RunRows},           {AddTablesCommand(app), RunTables},
      {AddViewsCommand(app), RunViews},         {AddSchemaCommand(app), RunSchema},
      {AddTransformCommand(app), RunTransform}, {AddExtractCommand(app), RunExtract},
  };
  AddDdlCommands(app);
}

std::optional<int> RunDataCommand() {
  for (const auto& [command, run] : Commands()) {
    if (command->parsed()) return run();
  }
  return RunDdlCommand();
}

}  // namespace almanac::cli
