// Import: records from a RecordSource into a table — `almanac insert` and `almanac upsert`.
//
// A missing table is created in sqlite-utils' layout. CSV/TSV columns get detected types
// (a first pass over the input; see types.h), JSON columns the types of the first
// `kJsonTypeBatch` records, as sqlite-utils does; --type overrides either. Values of a table
// this import created are stored as their column's type; into an existing table they go as
// read, leaving conversion to the column's affinity (as sqlite-utils does).
//
// Everything happens in one transaction (BEGIN IMMEDIATE, after the connection's busy timeout;
// a savepoint when the connection is already in a transaction, as a write queue's job is),
// so a failure leaves the database as it was; with `commit_every` > 0 each batch of that many
// records commits on its own instead, and a failure keeps the batches before it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "db/connection.h"
#include "ingest/record_source.h"
#include "ingest/row_writer.h"
#include "ingest/table_plan.h"
#include "sql/write_sql.h"

namespace almanac::ingest {

inline constexpr size_t kJsonTypeBatch = 100;

struct ImportOptions {
  std::string table;
  bool upsert = false;                                    // else insert
  sql::OnConflict on_conflict = sql::OnConflict::kAbort;  // insert: --ignore, --replace
  TableSpec spec;                                         // --pk, --not-null, --default
  std::vector<std::pair<std::string, ColumnType>> types;  // --type
  bool detect_types = true;                               // CSV/TSV; off: every column TEXT
  bool alter = false;                                     // add columns the table lacks
  bool truncate = false;                                  // delete the table's rows first
  bool strict = false;                                    // create the table STRICT
  bool analyze = false;                                   // run ANALYZE on the table afterwards
  int64_t commit_every = 0;  // records per transaction; 0 = one transaction
  int64_t stop_after = 0;    // records to read at most; 0 = all
};

struct ImportResult {
  WriteCounts counts;
  bool created = false;  // the table did not exist before
};

// Told how far the import has got, every few thousand records.
class ImportObserver {
 public:
  enum class Phase { kDetectingTypes, kWriting };
  virtual ~ImportObserver() = default;
  virtual void Progress(Phase phase, int64_t records, uint64_t bytes,
                        std::optional<uint64_t> total_bytes) = 0;
};

Result<ImportResult> Import(db::Connection& conn, RecordSource& source,
                            const ImportOptions& options, ImportObserver* observer = nullptr);

}  // namespace almanac::ingest
