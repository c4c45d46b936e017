// A tiny SQLite extension for the --load-extension tests (tests/http/test_serve_options.py):
// almanac_test_hello() returns 'hello'. Loaded by its default entry point, or by
// almanac_hello_init as PATH:ENTRYPOINT.
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

namespace {

void Hello(sqlite3_context* context, int /*argc*/, sqlite3_value** /*argv*/) {
  sqlite3_result_text(context, "hello", -1, SQLITE_STATIC);
}

int Register(sqlite3* db, const sqlite3_api_routines* api) {
  SQLITE_EXTENSION_INIT2(api);
  return sqlite3_create_function(db, "almanac_test_hello", 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                 nullptr, Hello, nullptr, nullptr);
}

}  // namespace

extern "C" {

int sqlite3_extension_init(sqlite3* db, char** /*error*/, const sqlite3_api_routines* api) {
  return Register(db, api);
}

int almanac_hello_init(sqlite3* db, char** /*error*/, const sqlite3_api_routines* api) {
  return Register(db, api);
}

}  // extern "C"
