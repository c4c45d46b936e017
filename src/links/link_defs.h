// Link definitions: which columns of which tables point at rows of which table. Declared
// single-column foreign keys come from the schema; soft links from the config:
//   databases.<db>.links: true                       (declared foreign keys only)
//   databases.<db>.links:
//     soft:
//       - {from: posts.author, to: users}            (a column holding users' key)
//       - {from: posts.meta, path: $.reviewers[*], to: users}   (inside a JSON column)
//     merge_every: 4096                              (LinkOptions::merge_every)
//     merge_gap_ms: 100                              (LinkOptions::merge_gap_ms)
// A path is `$` followed by `.key`, `[N]` or `[*]` steps. A link's target key is the value
// as text ("5" for the integer 5), matched against the target row's (single) primary key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "db/schema.h"
#include "format/json_value.h"

namespace almanac::links {

struct PathStep {
  enum class Kind { kKey, kIndex, kEach } kind = Kind::kKey;
  std::string key;
  size_t index = 0;
};

struct SoftLink {
  std::string table;
  std::string column;
  std::string path;  // "" for the column's value itself
  std::vector<PathStep> steps;
  std::string target_table;
};

struct LinkOptions {
  std::vector<SoftLink> soft;
  // A write's link changes wait in the pending table (link_pending.h) until this many are
  // waiting, then are merged into the index in the side file, beside the writer
  // (link_merger.h). 0: merge after every write.
  size_t merge_every = 4096;
  // The least time from the end of a merge to the next one `merge_every` starts (markers,
  // readers and idle merges do not wait), unless 4 x `merge_every` changes are waiting: under
  // a fast stream of writes merges take bigger batches, and each index page they write then
  // carries more changes. 0: no gap.
  int64_t merge_gap_ms = 100;
  // Changes still pending this long after the last write are merged then (0: only when
  // `merge_every` are waiting), so that readers of a database at rest find none.
  int64_t merge_when_idle_ms = 1000;
};

// nullopt when the index is off for the database (no `links` key, or false).
Result<std::optional<LinkOptions>> ParseLinkOptions(const format::JsonValue* db_config);
// Parses "$.a.b[*]" into steps.
Result<std::vector<PathStep>> ParsePath(std::string_view path);

// One way a source table's rows link to a target table.
struct LinkDef {
  std::string source_table;
  std::string column;  // the source column
  std::string label;   // the column, or "column$.path" for a JSON path: the API's source name
  std::vector<PathStep> steps;
  std::string target_table;
  size_t column_index = 0;  // in TableInfo::columns
};

// The definitions whose source is `table` (declared foreign keys first, then soft links),
// skipping those whose column is missing.
std::vector<LinkDef> DefsForTable(const db::TableInfo& table, const LinkOptions& options);
// Every definition of the schema, for all its tables (hidden and `_almanac_` tables skipped).
std::vector<LinkDef> AllDefs(const db::Schema& schema, const LinkOptions& options);
// A text that changes when the table's definitions do (stored, to notice changes).
std::string Fingerprint(const std::vector<LinkDef>& defs);

// The target keys a value holds under `def` (none for NULL; several for a JSON path with [*]),
// without repeats.
void TargetKeys(const LinkDef& def, const Value& value, std::vector<std::string>& out);

}  // namespace almanac::links
