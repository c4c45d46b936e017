#include "api/write/canned_write.h"

#include <chrono>
#include <future>
#include <memory>
#include <utility>
#include <vector>

#include "api/canned_queries.h"
#include "api/magic_parameters.h"
#include "api/resolve.h"
#include "api/write/common.h"
#include "core/url.h"
#include "db/execute.h"
#include "sql/query.h"

namespace almanac::api::write {
namespace {

using format::JsonValue;

struct CannedState {
  CannedQuery query;
  // Every named parameter of the SQL; unset when the request gave no value for it.
  std::vector<std::pair<std::string, std::optional<Value>>> params;
  int64_t rowcount = -1;
  std::optional<std::string> message;  // from on_success_message_sql
  bool message_is_error = false;
};

// The POST body's parameters: a JSON object when the body is one, else form fields.
Result<std::vector<std::pair<std::string, std::string>>> BodyParams(const Request& request) {
  std::string_view body = request.body;
  size_t first = body.find_first_not_of(" \t\r\n");
  size_t last = body.find_last_not_of(" \t\r\n");
  std::vector<std::pair<std::string, std::string>> out;
  if (first != std::string_view::npos && body[first] == '{' && body[last] == '}') {
    ALM_ASSIGN_OR_RETURN(JsonValue json, format::ParseJson(body.substr(first, last - first + 1)));
    for (const auto& [key, value] : json.as_object()) {
      bool seen = false;
      for (auto& [k, v] : out) {
        if (k == key) {
          v = format::PythonStr(value);  // a repeated key: the last wins, as in a Python dict
          seen = true;
        }
      }
      if (!seen) out.emplace_back(key, format::PythonStr(value));
    }
  } else {
    for (auto& [key, value] : ParseQueryString(body)) {
      bool seen = false;
      for (auto& [k, v] : out) {
        if (k == key) {
          v = value;  // dict(parse_qsl(...)): the last value wins
          seen = true;
        }
      }
      if (!seen) out.emplace_back(std::move(key), std::move(value));
    }
  }
  std::erase_if(out, [](const auto& p) { return p.first == "csrftoken"; });
  return out;
}

bool WantsJsonAnswer(const Request& request,
                     const std::vector<std::pair<std::string, std::string>>& params) {
  const std::string* accept = request.Header("accept");
  if (accept && *accept == "application/json") return true;
  const std::string* arg = request.Arg("_json");
  if (arg && !arg->empty()) return true;
  for (const auto& [k, v] : params) {
    if (k == "_json" && !v.empty()) return true;
  }
  return false;
}

Status RunCanned(db::WriteContext& ctx, CannedState& s) {
  db::Connection& conn = ctx.conn();
  Result<db::Statement> prepared = conn.PrepareUser(s.query.sql);
  if (!prepared.ok()) return prepared.status();
  db::Statement& stmt = *prepared;
  auto bind = [&](db::Statement& st) -> Status {
    for (int i = 1; i <= st.ParameterCount(); ++i) {
      std::string name = st.ParameterName(i);
      const std::optional<Value>* value = nullptr;
      for (const auto& [k, v] : s.params) {
        if (k == name) value = &v;
      }
      if (!value || !*value) {
        return InvalidArgument("You did not supply a value for binding parameter :" + name + ".");
      }
      ALM_RETURN_IF_ERROR(st.Bind(i, **value));
    }
    return Status::Ok();
  };
  ALM_RETURN_IF_ERROR(bind(stmt));
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
  }
  s.rowcount = ops::IsDml(s.query.sql) ? conn.Changes() : -1;
  if (!s.query.on_success_message_sql) return Status::Ok();
  // The message query sees the write; its failure is reported, not a failed write.
  Status message_status = [&]() -> Status {
    ALM_ASSIGN_OR_RETURN(db::Statement m, conn.PrepareUser(*s.query.on_success_message_sql));
    ALM_RETURN_IF_ERROR(bind(m));
    ALM_ASSIGN_OR_RETURN(bool row, m.Step());
    if (row && m.ColumnCount() > 0) {
      Value v = m.Column(0);
      if (!v.is_null()) s.message = v.ToDisplayString();
    }
    return Status::Ok();
  }();
  if (!message_status.ok()) {
    s.message = "Error running on_success_message_sql: " + message_status.message();
    s.message_is_error = true;
  }
  if (s.message && s.message->empty()) s.message.reset();
  return Status::Ok();
}

CannedWriteResult Finish(const CannedState& s, const Status& status) {
  CannedWriteResult r;
  r.ok = status.ok();
  if (!r.ok) {
    const std::optional<std::string>& custom = s.query.on_error_message;
    r.message = custom && !custom->empty() ? *custom : status.message();
    r.message_is_error = true;
    r.redirect = s.query.on_error_redirect;
    return r;
  }
  r.redirect = s.query.on_success_redirect;
  if (s.message) {
    r.message = *s.message;
    r.message_is_error = s.message_is_error;
  } else if (s.query.on_success_message && !s.query.on_success_message->empty()) {
    r.message = *s.query.on_success_message;
  } else if (s.rowcount == -1) {
    r.message = "Query executed";
  } else {
    r.message = "Query executed, " + std::to_string(s.rowcount) +
                (s.rowcount == 1 ? " row" : " rows") + " affected";
  }
  return r;
}

}  // namespace

Result<CannedWrite> PrepareCannedWrite(const Instance& instance, const Request& request,
                                       const std::string& database, const std::string& name) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  std::optional<CannedQuery> canned = FindCannedQuery(instance, database, name);
  if (!canned) return NotFound("Table not found");
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewQuery,
                              auth::Resource::Table(database, canned->name),
                              "You do not have permission to view this query"));
  if (!canned->is_write) {
    return Status(ErrorCode::kMethodNotAllowed, "POST is only for writable canned queries");
  }
  if (!resolved.db->is_mutable()) return PermissionDenied("Database is immutable");
  ALM_ASSIGN_OR_RETURN(auto body, BodyParams(request));

  auto s = std::make_shared<CannedState>();
  s->query = *canned;
  auto now = std::chrono::system_clock::now();
  for (const std::string& param : sql::NamedParameters(canned->sql)) {
    std::optional<Value> value;
    Result<std::optional<Value>> magic = MagicParameter(request, param, now);
    if (magic.ok() && *magic) value = std::move(**magic);
    if (!value) {
      for (const auto& [k, v] : body) {
        if (k == param) value = Value::Text(v);
      }
    }
    s->params.emplace_back(param, std::move(value));
  }
  CannedWrite write;
  write.db = resolved.db;
  write.work = [s](db::WriteContext& ctx) { return RunCanned(ctx, *s); };
  write.finish = [s](const Status& status) { return Finish(*s, status); };
  return write;
}

CannedWriteResult RunCannedWriteToCompletion(CannedWrite write) {
  Status status = write.db->write_queue()->Run(std::move(write.work));
  return write.finish(status);
}

bool WantsJsonAnswer(const Request& request) {
  using Params = std::vector<std::pair<std::string, std::string>>;
  Result<Params> body = BodyParams(request);
  return WantsJsonAnswer(request, body.ok() ? *body : Params{});
}

}  // namespace almanac::api::write
