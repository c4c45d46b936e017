// RowSink: something kept in step with a database's rows inside the write that changes them
// (the backlinks index). The ChangeLog calls it on the writer thread, inside the job's
// savepoint, for each captured row change, so what it writes commits or rolls back with the
// change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "db/schema.h"
#include "db/write_queue.h"

namespace almanac::changes {

struct RowChange {
  const std::string& table;
  const db::TableInfo* info;  // nullptr when the table is gone by the end of the job
  bool deleted_old = false;   // the old row is gone (delete, or an update that moved the key)
  bool inserted_new = false;  // the new row is new (insert, or an update that moved the key)
  const std::vector<Value>& old_values;  // empty for an insert
  const std::vector<Value>& new_values;  // empty for a delete
  int64_t old_rowid = 0;                 // the key of a table without a declared one
  int64_t new_rowid = 0;
};

class RowSink {
 public:
  virtual ~RowSink() = default;
  // Whether the sink reads the row changes of `table` (OnRowChange), and which of their values:
  // `columns` (by position) is left null for all of them. When the log records no events, only
  // what some sink reads is captured. On the writer thread, from SQLite's pre-update hook: quick.
  virtual bool Wants(std::string_view table, const std::vector<bool>*& columns) = 0;
  // One row change of the running job.
  virtual Status OnRowChange(db::Connection& conn, const RowChange& change) = 0;
  // After the job's row changes (a schema change shows up here).
  virtual Status AfterJob(db::WriteContext& ctx) = 0;
  // Another process wrote to the file: what the sink keeps may be stale.
  virtual Status OnResync(db::WriteContext& ctx) = 0;
  // The job, or the whole transaction, was rolled back.
  virtual void OnRolledBack() = 0;
  // The transaction committed.
  virtual void OnCommitted() {}
};

}  // namespace almanac::changes
