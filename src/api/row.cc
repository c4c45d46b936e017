#include "api/row.h"

#include "api/resolve.h"
#include "api/table.h"
#include "core/url.h"
#include "db/execute.h"

namespace almanac::api {

Result<RowPage> BuildRowPage(const Instance& instance, const Request& request,
                             std::string_view database, std::string_view table_name,
                             std::string_view pks_path) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table_name));
  const db::TableInfo& table = *resolved.table;
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewTable,
                              auth::Resource::Table(std::string(database), table.name),
                              "You do not have permission to view this table"));
  if (table.is_view()) return NotFound("Row not found");

  std::vector<std::string> values;
  size_t start = 0;
  for (;;) {
    size_t comma = pks_path.find(',', start);
    values.push_back(TildeDecode(pks_path.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  bool use_rowid = table.uses_rowid();
  size_t expected = use_rowid ? 1 : table.primary_keys.size();
  if (values.size() != expected) {
    return InvalidArgument("URL row identifier does not match the primary key for this table");
  }

  sql::QueryBuilder b;
  b.Add("select ");
  if (use_rowid) b.Add("rowid, ");
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i) b.Add(", ");
    b.Add(sql::Identifier::FromSchema(table.columns[i].name));
  }
  b.Add(" from ").Add(sql::Identifier::FromSchema(table.name)).Add(" where ");
  if (use_rowid) {
    b.Add("rowid = ").Bind(Value::Text(values[0]));
  } else {
    for (size_t i = 0; i < table.primary_keys.size(); ++i) {
      if (i) b.Add(" and ");
      b.Add(sql::Identifier::FromSchema(table.primary_keys[i]))
          .Add(" = ")
          .Bind(Value::Text(values[i]));
    }
  }
  ALM_ASSIGN_OR_RETURN(db::QueryResult result,
                       db::Execute(*resolved.conn, b.query(), QueryLimits(instance, request)));
  if (result.rows.empty()) return NotFound("Row not found");

  RowPage page;
  page.database = std::string(database);
  page.table = table.name;
  page.rows = std::move(result.rows);
  page.rows.Truncate(1);
  if (use_rowid && !page.rows.columns.empty()) page.rows.columns[0] = "rowid";
  page.primary_keys = use_rowid ? std::vector<std::string>{"rowid"} : table.primary_keys;
  page.primary_key_values = std::move(values);
  page.query_ms = result.query_ms;
  page.cache_ttl = CacheTtl(instance, request);
  ALM_ASSIGN_OR_RETURN(page.output, ParseOutputOptions(request));
  return page;
}

}  // namespace almanac::api
