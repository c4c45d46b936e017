#include "db/read_transaction.h"

#include <algorithm>

#include <sqlite3.h>

namespace almanac::db {
namespace {

// The enlisted connections of the outermost scope alive on this thread, or nullptr.
thread_local std::vector<Connection*>* active_enlisted = nullptr;

// BEGIN (deferred: the file is locked at the first read) unless a transaction is open; true
// when one is open afterwards.
bool Begin(Connection& conn) {
  if (RequestReadTransaction::InTransaction(conn)) return true;
  Result<Statement> begin = conn.Prepare(sql::Query{"BEGIN", {}});
  if (!begin.ok()) return false;
  Result<bool> stepped = begin->Step();
  return stepped.ok() && RequestReadTransaction::InTransaction(conn);
}

// COMMIT, or ROLLBACK when that fails. Each is prepared afresh: a new statement runs far
// fewer VM steps than the progress handler's interval, so neither the time limit nor the fast
// lane (which interrupt every statement once spent) can stop it.
void End(Connection& conn) {
  if (!RequestReadTransaction::InTransaction(conn))
    return;  // ended already (an error rolled it back)
  if (sqlite3_exec(conn.handle(), "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK &&
      !RequestReadTransaction::InTransaction(conn)) {
    return;
  }
  sqlite3_exec(conn.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace

RequestReadTransaction::RequestReadTransaction() {
  if (active_enlisted) return;  // nested: the outer scope does the work
  outer_ = true;
  active_enlisted = &enlisted_;
}

RequestReadTransaction::~RequestReadTransaction() {
  if (!outer_) return;
  active_enlisted = nullptr;
  for (Connection* conn : enlisted_) End(*conn);
}

void RequestReadTransaction::Enlist(Connection& conn) {
  if (!active_enlisted) return;
  if (std::find(active_enlisted->begin(), active_enlisted->end(), &conn) !=
      active_enlisted->end()) {
    return;
  }
  if (Begin(conn)) active_enlisted->push_back(&conn);
}

bool RequestReadTransaction::Active() { return active_enlisted != nullptr; }

bool RequestReadTransaction::InTransaction(Connection& conn) {
  return sqlite3_get_autocommit(conn.handle()) == 0;
}

}  // namespace almanac::db
