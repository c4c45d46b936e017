// LinkIndex: the backlinks index of one database, kept in three hidden tables of the database
// itself and maintained inside each write's savepoint (a changes::RowSink fed by the
// ChangeLog's capture), so it commits and rolls back with the rows:
//   _almanac_links        (target_table, target_key, source_table, source_column, source_pk)
//                         primary key in that order: the reverse index, paged in keyset order;
//                         a second index on (source_table, source_pk) is the forward index
//   _almanac_link_counts  (target_table, target_key, source_table, source_column) -> n:
//                         stored counters, so a count is one lookup
//   _almanac_links_state  (source_table -> fingerprint of its link definitions)
// A row change removes exactly the links its old values made and adds those of its new values.
// A schema change (create, alter, rename, drop) or a config change rebuilds the index of the
// source tables whose definitions changed; a write by another process rebuilds everything.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "changes/row_sink.h"
#include "core/result.h"
#include "db/connection.h"
#include "db/database.h"
#include "db/schema.h"
#include "links/link_defs.h"

namespace almanac::links {

// Creates the index tables when missing.
Status CreateLinkTables(db::Connection& conn);
// Rebuilds the whole index from the rows (inside the caller's transaction). Returns the
// number of links.
Result<int64_t> RebuildAll(db::Connection& conn, const db::Schema& schema,
                           const LinkOptions& options);

struct VerifyReport {
  int64_t expected = 0;  // links the rows make
  int64_t indexed = 0;   // links in the index
  int64_t missing = 0;   // made by the rows, not in the index
  int64_t extra = 0;     // in the index, not made by the rows
  int64_t bad_counts = 0;
  std::vector<std::string> examples;  // a few differences, in words
  bool ok() const { return missing == 0 && extra == 0 && bad_counts == 0; }
};
// Recounts the links from scratch and compares them with the index and its counters.
Result<VerifyReport> Verify(db::Connection& conn, const db::Schema& schema,
                            const LinkOptions& options);

class LinkIndex : public changes::RowSink {
 public:
  // Creates the tables and brings the index up to date (a job on `db`'s write queue).
  static Result<std::unique_ptr<LinkIndex>> Open(db::Database& db, LinkOptions options);

  db::Database& database() const { return db_; }
  const LinkOptions& options() const { return options_; }

  Status OnRowChange(db::Connection& conn, const changes::RowChange& change) override;
  Status AfterJob(db::WriteContext& ctx) override;
  Status OnResync(db::WriteContext& ctx) override;
  void OnRolledBack() override { checked_version_ = -1; }

 private:
  LinkIndex(db::Database& db, LinkOptions options) : db_(db), options_(std::move(options)) {}
  // Rebuilds the source tables whose definitions differ from the stored ones (all of them
  // when `everything`).
  Status Reconcile(db::WriteContext& ctx, bool everything);

  db::Database& db_;
  LinkOptions options_;
  int64_t checked_version_ = -1;  // schema version last reconciled (writer thread only)
};

// The link indexes of an instance, by database name.
class LinkIndexes {
 public:
  void Add(std::string name, std::unique_ptr<LinkIndex> index);
  LinkIndex* Find(std::string_view name) const;

 private:
  std::map<std::string, std::unique_ptr<LinkIndex>, std::less<>> indexes_;
};

}  // namespace almanac::links
