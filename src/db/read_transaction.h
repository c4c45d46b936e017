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
#pragma once

#include <vector>

#include "db/connection.h"

namespace almanac::db {

class RequestReadTransaction {
 public:
  RequestReadTransaction();
  ~RequestReadTransaction();
  RequestReadTransaction(const RequestReadTransaction&) = delete;
  RequestReadTransaction& operator=(const RequestReadTransaction&) = delete;

  // Begins a read transaction on `conn` when a scope is active on this thread and `conn` is
  // not enlisted yet; otherwise nothing (statements then run in autocommit, as before).
  static void Enlist(Connection& conn);
  // True when a scope is active on this thread (for tests).
  static bool Active();
  // True when `conn` is inside a transaction (for tests).
  static bool InTransaction(Connection& conn);

 private:
  bool outer_ = false;
  std::vector<Connection*> enlisted_;
};

}  // namespace almanac::db
