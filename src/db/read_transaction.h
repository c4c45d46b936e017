// One read transaction per request. While a RequestReadTransaction lives on a thread, every
// read connection that Database::ReadConnection hands out on that thread is enlisted: a
// deferred BEGIN is run on it once, so that all the request's statements (schema check, count,
// rows, facets, labels...) share one snapshot and one file lock instead of taking and
// dropping the lock around each statement. The scope ends each transaction it began (COMMIT,
// or ROLLBACK when that fails) however the request ends: return, error or exception.
//
// What stays per statement: the time limit and the fast lane (the progress handler), and the
// row and byte caps. A statement interrupted by them leaves the (read-only) transaction open
// and the request's other statements run on; the scope still ends it.
//
// Only for reads (GET/HEAD): a file still in rollback-journal mode keeps its SHARED lock for
// the whole request, so a writer waits (busy timeout) for the request rather than for one
// statement. Shared-cache memory and immutable databases are never enlisted (no file lock to
// save; shared-cache table locks would fail a writer at once instead of making it wait).
// Scopes do not nest: an inner one on the same thread does nothing.
//
// A snapshot held across statements must not be labelled with a change generation read after
// it began (the label would name newer data than the page shows, and caches keyed by it would
// keep stale results): Database settles the generation once as it enlists its connection and
// begins the snapshot (db/database.h), and records it here for the rest of the request.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.h"
#include "db/connection.h"

namespace almanac::db {

class RequestReadTransaction {
 public:
  RequestReadTransaction();
  ~RequestReadTransaction();
  RequestReadTransaction(const RequestReadTransaction&) = delete;
  RequestReadTransaction& operator=(const RequestReadTransaction&) = delete;

  // Begins a read transaction on `conn` when a scope is active on this thread and `conn` is
  // not enlisted yet; otherwise nothing (statements then run in autocommit, as before). True
  // when it was enlisted by this call (its transaction has not read anything yet).
  static bool Enlist(Connection& conn);
  // Ends `conn`'s transaction and begins a new one (deferred), for a connection enlisted by
  // this request whose transaction has read nothing for it yet. True when one is open after.
  static bool Restart(Connection& conn);
  // The change generation recorded for `conn` in this thread's scope, or nullptr when there is
  // no scope, `conn` is not enlisted, or nothing was recorded.
  static const Result<std::optional<uint64_t>>* Generation(const Connection& conn);
  static void RecordGeneration(const Connection& conn, Result<std::optional<uint64_t>> generation);
  // True when a scope is active on this thread (for tests).
  static bool Active();
  // True when `conn` is inside a transaction (for tests).
  static bool InTransaction(Connection& conn);

 private:
  struct Enlisted {
    Connection* conn;
    std::optional<Result<std::optional<uint64_t>>> generation;
  };
  static Enlisted* Find(const Connection& conn);

  bool outer_ = false;
  std::vector<Enlisted> enlisted_;
};

}  // namespace almanac::db
