// Reading the backlinks index: the stored counts per source (one primary-key lookup each) and
// the linking rows in keyset order (source table, column, source primary key), with the
// pending changes not merged yet added, so answers are exact at any moment. `conn` is a
// connection to the database file (a reader's); the side file is attached to it when first
// read (outside a transaction).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "db/connection.h"
#include "links/link_index.h"

namespace almanac::links {

struct SourceCount {
  std::string table;
  std::string column;  // the column, or "column$.path"
  int64_t count = 0;
};

struct LinkingRow {
  std::string table;
  std::string column;
  std::string pk;  // JSON array of the source row's primary key
};

struct LinkSource {
  std::string table;
  std::string column;
};

// The counts of links to (target_table, target_key), per source, in source order.
Result<std::vector<SourceCount>> CountLinks(const LinkIndex& index, db::Connection& conn,
                                            const std::string& target_table,
                                            const std::string& target_key);

// Up to `limit` linking rows after `after` (exclusive), optionally from one source only.
Result<std::vector<LinkingRow>> PageLinks(const LinkIndex& index, db::Connection& conn,
                                          const std::string& target_table,
                                          const std::string& target_key,
                                          const std::optional<LinkSource>& source,
                                          const std::optional<LinkingRow>& after, size_t limit);

}  // namespace almanac::links
