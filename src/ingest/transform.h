// Transform: the changes ALTER TABLE cannot make — column types, renames, drops, NOT NULL,
// defaults, the primary key, foreign keys, column order, STRICT — by SQLite's documented table
// rebuild (https://www.sqlite.org/lang_altertable.html#otheralter): foreign key enforcement
// off, one transaction, a new table in sqlite-utils' layout, rows copied (rowids kept), the old
// table dropped, the new one renamed, indexes and triggers recreated, foreign_key_check, commit.
//
// Declared types are kept as written (sqlite-utils re-derives them from affinity). Tables whose
// definition holds what the rebuild cannot carry over — CHECK, UNIQUE, COLLATE, GENERATED or
// AUTOINCREMENT clauses, compound foreign keys, WITHOUT ROWID — are refused rather than
// rebuilt without them.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "db/connection.h"

namespace almanac::ingest {

struct ForeignKeyRef {
  std::string column;
  std::string other_table;
  std::string other_column;  // "" = the other table's primary key
};

struct TransformSpec {
  std::map<std::string, std::string> types;   // column -> declared type
  std::map<std::string, std::string> rename;  // old name -> new name
  std::set<std::string> drop;
  std::optional<std::vector<std::string>> pk;                  // empty: a rowid table
  std::map<std::string, bool> not_null;                        // set or remove NOT NULL
  std::map<std::string, std::optional<std::string>> defaults;  // value as typed; nullopt removes
  std::vector<std::string> drop_foreign_keys;                  // by column
  std::vector<ForeignKeyRef> add_foreign_keys;
  std::vector<std::string> column_order;  // these first, in this order
  std::optional<bool> strict;
};

// The statements the rebuild runs, in order (for `transform --sql`).
Result<std::vector<std::string>> TransformSql(db::Connection& conn, const std::string& table,
                                              const TransformSpec& spec);

// Runs the rebuild. The caller must not hold a transaction open.
Status Transform(db::Connection& conn, const std::string& table, const TransformSpec& spec);

// Runs `work` in one transaction (BEGIN IMMEDIATE) with foreign key enforcement off, checked
// with foreign_key_check before the commit when it was on; rolls back when anything fails.
// For rebuilds that are part of a larger change (extract, add-foreign-key).
Status RebuildTransaction(db::Connection& conn, const std::function<Status()>& work);
// Runs each statement in turn.
Status ExecAll(db::Connection& conn, const std::vector<std::string>& statements);

}  // namespace almanac::ingest
