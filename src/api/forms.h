// Models for the HTML write forms (insert a row, edit a row, delete a row, drop a table,
// create a table from pasted data). Each checks the permission its action needs, so a form
// is only ever offered to an actor who may submit it; the submission itself goes through the
// write API (api/write).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "api/pages.h"

namespace almanac::api {

struct FormColumn {
  std::string name;
  std::string type;  // declared type ("INTEGER", "TEXT", ...), may be empty
  bool primary_key = false;
  bool notnull = false;
  std::optional<std::string> default_value;  // SQL text of the default
};

struct RowFormPage {
  std::string database;
  std::string table;
  std::vector<FormColumn> columns;
  bool use_rowid = false;      // a rowid table: the key is assigned by SQLite
  std::optional<RowPage> row;  // the row being edited or deleted
  std::string pks_path;        // the row's URL segment (tilde-encoded)
};

// The insert form (`pks_path` empty: needs insert-row) or the edit/delete form of one row
// (needs update-row or delete-row, as `action` says).
Result<RowFormPage> BuildRowFormPage(const Instance& instance, const Request& request,
                                     std::string_view database, std::string_view table,
                                     std::string_view pks_path, auth::Action action);

struct DropTablePage {
  std::string database;
  std::string table;
  std::optional<int64_t> row_count;  // bounded count (up to 10,001)
  bool is_view = false;
};

// The confirmation page before dropping a table (needs drop-table).
Result<DropTablePage> BuildDropTablePage(const Instance& instance, const Request& request,
                                         std::string_view database, std::string_view table);

// The create-table form (needs create-table on the database); OK when allowed.
Status CheckCreateTable(const Instance& instance, const Request& request,
                        std::string_view database);

}  // namespace almanac::api
