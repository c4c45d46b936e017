// POST /<db>/-/execute-write (JSON answers): the request's glue around write/execute_write.h.
// The body is form fields (sql=...&name=...) when sent as a form, JSON otherwise.
#include "write/execute_write.h"

#include <algorithm>
#include <memory>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/write.h"
#include "core/url.h"
#include "write/checks.h"

namespace almanac::api::write {
namespace {

using format::JsonValue;

// The body: form fields (sql=...&name=...) when sent as a form, JSON otherwise — and JSON
// too when a "form" body is plainly a JSON object (curl -d '{...}' without a Content-Type).
Result<ops::ExecuteWriteArgs> ParsePayload(const Request& request, const std::string& database) {
  const std::string* type = request.Header("content-type");
  size_t first = request.body.find_first_not_of(" \t\r\n");
  bool looks_json = first != std::string::npos && request.body[first] == '{';
  bool form = type && (type->starts_with("application/x-www-form-urlencoded") ||
                       type->starts_with("multipart/form-data"));
  if (form && !looks_json) {
    ops::ExecuteWriteArgs args;
    args.database = database;
    for (const auto& [key, value] : ParseQueryString(request.body)) {
      if (key == "sql") {
        args.sql = value;
      } else if (key != "csrftoken" && key != "_json") {
        std::string name = key.starts_with("_sql_param_") ? key.substr(11) : key;
        args.params.emplace_back(name, Value::Text(value));
      }
    }
    ALM_RETURN_IF_ERROR(ops::ValidateExecuteWrite(args));
    return args;
  }
  JsonValue data = JsonValue::MakeObject();
  if (!request.body.empty()) {
    ALM_ASSIGN_OR_RETURN(data, ParseBody(request));
  }
  return ops::ParseExecuteWrite(data, database);
}

void WriteAnalysis(format::JsonWriter& w, const std::vector<db::SqlOperation>& operations) {
  auto opt = [&](const char* key, const std::optional<std::string>& v) {
    if (v) {
      w.Member(key, *v);
    } else {
      w.MemberNull(key);
    }
  };
  w.BeginArray();
  for (const db::SqlOperation& op : operations) {
    if (op.internal || op.operation == "select" || op.operation == "function") continue;
    std::string required;
    for (auth::Action action : ops::RequiredActions(op)) {
      required += (required.empty() ? "" : ", ") + std::string(auth::Info(action).name);
    }
    w.BeginObject();
    w.Member("operation", op.operation);
    opt("database", op.database);
    opt("table", op.table ? op.table : op.target);
    w.Member("required_permission", required);
    opt("source", op.source);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

Result<Outcome> ExecuteWrite(const Instance& instance, const Request& request,
                             const std::string& database) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  ALM_RETURN_IF_ERROR(ops::CheckExecuteWrite(instance.permissions, request.actor, database, {}));
  ALM_RETURN_IF_ERROR(ops::CheckMutable(*resolved.db));
  ALM_ASSIGN_OR_RETURN(ops::ExecuteWriteArgs args, ParsePayload(request, database));
  const auth::PermissionEngine* engine = &instance.permissions;
  Prepared<ops::ExecuteWriteResult> prepared = PrepareWork<ops::ExecuteWriteResult>(
      resolved.db, [args = std::move(args), engine, actor = request.actor](db::WriteContext& ctx) {
        return ops::RunExecuteWrite(ctx, args, *engine, actor);
      });
  return Outcome::Later(AnswerLater<ops::ExecuteWriteResult>(
      std::move(prepared), [](const ops::ExecuteWriteResult& r) {
        Answer answer;
        answer.headers = BlockFramingHeaders();
        format::JsonWriter w(answer.body.text);
        w.BeginObject();
        w.MemberBool("ok", true);
        w.Member("message", r.rowcount == -1
                                ? std::string("Query executed")
                                : "Query executed, " + std::to_string(r.rowcount) +
                                      (r.rowcount == 1 ? " row" : " rows") + " affected");
        w.Member("rowcount", r.rowcount);
        w.Key("rows");
        if (r.returns_rows) {
          WriteRowObjects(w, r.rows);
        } else {
          w.BeginArray();
          w.EndArray();
        }
        w.MemberBool("truncated", r.truncated);
        w.Key("analysis");
        WriteAnalysis(w, r.operations);
        w.EndObject();
        return answer;
      }));
}

}  // namespace almanac::api::write
