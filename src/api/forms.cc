#include "api/forms.h"

#include "api/catalog.h"
#include "api/resolve.h"
#include "api/row.h"
#include "sql/query.h"

namespace almanac::api {

Result<RowFormPage> BuildRowFormPage(const Instance& instance, const Request& request,
                                     std::string_view database, std::string_view table_name,
                                     std::string_view pks_path, auth::Action action) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table_name));
  const db::TableInfo& table = *resolved.table;
  if (table.is_view()) return NotFound("Table not found");
  std::string message = action == auth::Action::kInsertRow   ? "insert rows into"
                        : action == auth::Action::kUpdateRow ? "update rows in"
                                                             : "delete rows from";
  ALM_RETURN_IF_ERROR(Require(instance, request, action,
                              auth::Resource::Table(std::string(database), table.name),
                              "You do not have permission to " + message + " this table"));
  RowFormPage page;
  page.database = std::string(database);
  page.table = table.name;
  page.use_rowid = table.uses_rowid();
  for (const db::ColumnInfo& c : table.columns) {
    page.columns.push_back({c.name, c.type, c.pk > 0, c.notnull, c.default_value});
  }
  if (!pks_path.empty()) {
    ALM_ASSIGN_OR_RETURN(RowPage row,
                         BuildRowPage(instance, request, database, table_name, pks_path));
    page.row = std::move(row);
    page.pks_path = std::string(pks_path);
  }
  return page;
}

Result<DropTablePage> BuildDropTablePage(const Instance& instance, const Request& request,
                                         std::string_view database, std::string_view table_name) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table_name));
  const db::TableInfo& table = *resolved.table;
  auth::Action action = table.is_view() ? auth::Action::kDropView : auth::Action::kDropTable;
  ALM_RETURN_IF_ERROR(Require(instance, request, action,
                              auth::Resource::Table(std::string(database), table.name),
                              "You do not have permission to drop this table"));
  DropTablePage page;
  page.database = std::string(database);
  page.table = table.name;
  page.is_view = table.is_view();
  sql::QueryBuilder b;
  b.Add("select count(*) from (select 1 from ")
      .Add(sql::Identifier::FromSchema(table.name))
      .Add(" limit ")
      .Integer(kCountLimit + 1)
      .Add(")");
  Result<db::QueryResult> count =
      db::Execute(*resolved.conn, b.query(), QueryLimits(instance, request));
  if (count.ok() && !count->rows.empty() && count->rows.at(0, 0).type() == Value::Type::kInteger) {
    page.row_count = count->rows.at(0, 0).integer();
  }
  return page;
}

Status CheckCreateTable(const Instance& instance, const Request& request,
                        std::string_view database) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  (void)resolved;
  return Require(instance, request, auth::Action::kCreateTable,
                 auth::Resource::Database(std::string(database)),
                 "You do not have permission to create tables in this database");
}

}  // namespace almanac::api
