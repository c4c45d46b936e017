#include "db/authorizer.h"

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <sqlite3.h>

#include "core/text.h"

namespace almanac::db {
namespace {

constexpr std::array<std::string_view, 22> kReadOnlyPragmas = {
    "table_info",     "table_xinfo",      "table_list",      "index_info",     "index_xinfo",
    "index_list",     "foreign_key_list", "database_list",   "function_list",  "module_list",
    "pragma_list",    "collation_list",   "compile_options", "schema_version", "user_version",
    "data_version",   "page_count",       "page_size",       "freelist_count", "encoding",
    "application_id", "cache_size"};

int Callback(void* /*unused*/, int action, const char* arg1, const char* arg2,
             const char* /*database*/, const char* /*trigger*/) {
  return ReadOnlyDecision(action, arg1, arg2);
}

// The gates installed, by connection; each is read by its connection's authorizer callback.
struct Gate {
  bool on = false;
};
std::mutex gates_mutex;
std::unordered_map<sqlite3*, std::unique_ptr<Gate>>& Gates() {
  static auto* gates = new std::unordered_map<sqlite3*, std::unique_ptr<Gate>>();
  return *gates;
}

int GateCallback(void* gate, int action, const char* arg1, const char* arg2,
                 const char* /*database*/, const char* /*trigger*/) {
  if (!static_cast<const Gate*>(gate)->on) return SQLITE_OK;
  return ReadOnlyDecision(action, arg1, arg2);
}

}  // namespace

bool IsReadOnlyPragma(std::string_view name) {
  std::string lower = AsciiLower(name);
  for (std::string_view allowed : kReadOnlyPragmas) {
    if (lower == allowed) return true;
  }
  return false;
}

int ReadOnlyDecision(int action, const char* arg1, const char* arg2) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_FUNCTION: {
      // arg2 is the function name.
      std::string name = AsciiLower(arg2 ? arg2 : "");
      if (name == "load_extension" || name == "readfile" || name == "writefile" || name == "edit" ||
          name == "fts3_tokenizer") {
        return SQLITE_DENY;
      }
      return SQLITE_OK;
    }
    case SQLITE_UPDATE:
      // Table-valued pragma functions (pragma_table_info(...)) make SQLite check an UPDATE of
      // sqlite_master while it loads the schema; nothing is written (the connection is
      // read-only and the statement must pass sqlite3_stmt_readonly).
      if (arg1 && (std::string_view(arg1) == "sqlite_master" ||
                   std::string_view(arg1) == "sqlite_temp_master")) {
        return SQLITE_OK;
      }
      return SQLITE_DENY;
    case SQLITE_PRAGMA: {
      // arg1 is the pragma, arg2 its argument. Table-valued pragma functions
      // (pragma_table_info('t')) pass the table name as arg2; assignments such as
      // "PRAGMA cache_size = 10" are denied by requiring a read-only pragma without "=".
      if (!arg1 || !IsReadOnlyPragma(arg1)) return SQLITE_DENY;
      std::string lower = AsciiLower(arg1);
      bool takes_table = lower.find("_info") != std::string::npos ||
                         lower.find("_list") != std::string::npos || lower == "table_xinfo" ||
                         lower == "index_xinfo";
      if (arg2 && !takes_table) return SQLITE_DENY;
      return SQLITE_OK;
    }
    default:
      return SQLITE_DENY;
  }
}

void InstallReadOnlyAuthorizer(sqlite3* db) { sqlite3_set_authorizer(db, &Callback, nullptr); }

void RemoveAuthorizer(sqlite3* db) { sqlite3_set_authorizer(db, nullptr, nullptr); }

void SetReadOnlyGate(sqlite3* db, bool on) {
  std::lock_guard lock(gates_mutex);
  std::unique_ptr<Gate>& gate = Gates()[db];
  if (!gate) {
    gate = std::make_unique<Gate>();
    sqlite3_set_authorizer(db, &GateCallback, gate.get());  // the only expiry: once
  }
  gate->on = on;
}

void ForgetReadOnlyGate(sqlite3* db) {
  std::lock_guard lock(gates_mutex);
  Gates().erase(db);
}

}  // namespace almanac::db
