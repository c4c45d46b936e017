// Building links from the rows: the links a row makes under a table's definitions, a scan of a
// whole table, and the build of kinds into the index (the merges' rebuilds, `links verify`'s
// recount).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "db/connection.h"
#include "db/schema.h"
#include "links/link_defs.h"
#include "links/link_store.h"

namespace almanac::links {

// A definition with its kind's id.
struct ScanDef {
  LinkDef def;
  int64_t kind = 0;
};

// The key of a definition's kind: (source table, column label, target table).
using KindKey = std::tuple<std::string, std::string, std::string>;
inline KindKey KeyOf(const LinkDef& def) { return {def.source_table, def.label, def.target_table}; }
std::map<KindKey, int64_t> KindIds(const std::vector<Kind>& kinds);

// The links one row makes under `defs`, appended to `out` (`keys`: scratch, reused).
template <typename DefT>
void RowEntries(const std::vector<DefT>& defs, const std::vector<Value>& values, const StoredPk& pk,
                std::vector<std::string>& keys, std::vector<Entry>& out) {
  for (const DefT& d : defs) {
    if (d.def.column_index >= values.size()) continue;
    keys.clear();
    TargetKeys(d.def, values[d.def.column_index], keys);
    for (std::string& key : keys) out.push_back(Entry{d.kind, std::move(key), pk});
  }
}

// Calls `emit` for every link the rows of `table` make under `defs`.
Status ScanTable(db::Connection& conn, const db::TableInfo& table, const std::vector<ScanDef>& defs,
                 const std::function<Status(Entry)>& emit);

// Writes the links (and counters) of `defs`, all of source `table`, from its rows into the
// index, whose kinds are empty. Returns the links written.
Result<int64_t> BuildKinds(db::Connection& conn, const db::TableInfo& table,
                           const std::vector<ScanDef>& defs);

}  // namespace almanac::links
