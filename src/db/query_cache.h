// QueryCache: results of expensive read queries (facet counts, row counts) for one database,
// kept while the database is unchanged. Entries are keyed by the database's change generation
// (Database::ChangeGeneration) and the query's text and parameters, so a commit anywhere makes
// every older entry unreachable; least recently used entries are dropped beyond the limits.
// Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "db/rows.h"
#include "sql/query.h"

namespace almanac::db {

class QueryCache {
 public:
  QueryCache(size_t max_entries, size_t max_cells);

  // The rows cached for `query` at `generation`, or nullptr.
  std::shared_ptr<const Rows> Get(uint64_t generation, const sql::Query& query);
  void Put(uint64_t generation, const sql::Query& query, Rows rows);

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const Rows> rows;
  };
  static std::string Key(uint64_t generation, const sql::Query& query);
  void EvictLocked();

  const size_t max_entries_;
  const size_t max_cells_;
  std::mutex mutex_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  size_t cells_ = 0;
};

}  // namespace almanac::db
