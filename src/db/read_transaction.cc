#include "db/read_transaction.h"

#include <sqlite3.h>

namespace almanac::db {
namespace {

// The enlisted connections of the outermost scope alive on this thread, or nullptr.
thread_local RequestReadTransaction* active = nullptr;

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
  if (active) return;  // nested: the outer scope does the work
  outer_ = true;
  active = this;
}

RequestReadTransaction::~RequestReadTransaction() {
  if (!outer_) return;
  active = nullptr;
  for (Enlisted& e : enlisted_) End(*e.conn);
}

RequestReadTransaction::Enlisted* RequestReadTransaction::Find(const Connection& conn) {
  if (!active) return nullptr;
  for (Enlisted& e : active->enlisted_) {
    if (e.conn == &conn) return &e;
  }
  return nullptr;
}

bool RequestReadTransaction::Restart(Connection& conn) {
  if (!Find(conn)) return false;
  End(conn);
  return Begin(conn);
}

bool RequestReadTransaction::Enlist(Connection& conn) {
  if (!active || Find(conn)) return false;
  if (!Begin(conn)) return false;
  active->enlisted_.push_back(Enlisted{&conn, std::nullopt});
  return true;
}

const Result<std::optional<uint64_t>>* RequestReadTransaction::Generation(const Connection& conn) {
  Enlisted* e = Find(conn);
  return e && e->generation ? &*e->generation : nullptr;
}

void RequestReadTransaction::RecordGeneration(const Connection& conn,
                                              Result<std::optional<uint64_t>> generation) {
  if (Enlisted* e = Find(conn)) e->generation = std::move(generation);
}

bool RequestReadTransaction::Active() { return active != nullptr; }

bool RequestReadTransaction::InTransaction(Connection& conn) {
  return sqlite3_get_autocommit(conn.handle()) == 0;
}

}  // namespace almanac::db
