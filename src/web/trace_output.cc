#include "web/trace_output.h"

#include <filesystem>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/trace.h"
#include "format/json_value.h"
#include "ui/html.h"

namespace almanac::web {
namespace {

using format::JsonValue;

JsonValue ValueJson(const Value& v) {
  switch (v.type()) {
    case Value::Type::kInteger:
      return JsonValue::Int(v.integer());
    case Value::Type::kReal:
      return JsonValue::Double(v.real());
    case Value::Type::kText:
      return JsonValue::String(v.text());
    case Value::Type::kBlob:
      return JsonValue::String("<Binary: " + std::to_string(v.blob().size()) + " bytes>");
    default:
      return JsonValue();
  }
}

// The name under which the instance serves the file a connection had open.
std::string DatabaseName(const db::Registry& registry, const std::string& file) {
  std::error_code ec;
  std::filesystem::path target = std::filesystem::weakly_canonical(file, ec);
  for (const auto& db : registry.all()) {
    if (file.empty() ? db->is_memory()
                     : !db->is_memory() && !ec &&
                           std::filesystem::weakly_canonical(db->path(), ec) == target) {
      return db->name();
    }
  }
  return "";
}

JsonValue TraceInfo(const db::Registry& registry, const db::RequestTrace& trace, double start) {
  JsonValue::Array traces;
  double sum_ms = 0;
  for (const db::TraceEntry& e : trace.entries()) {
    JsonValue t = JsonValue::MakeObject();
    double duration_ms = (e.end - e.start) * 1000;
    sum_ms += duration_ms;
    t.Set("type", JsonValue::String("sql"));
    t.Set("start", JsonValue::Double(e.start));
    t.Set("end", JsonValue::Double(e.end));
    t.Set("duration_ms", JsonValue::Double(duration_ms));
    t.Set("traceback", JsonValue::MakeArray());
    t.Set("database", JsonValue::String(DatabaseName(registry, e.file)));
    t.Set("sql", JsonValue::String(e.sql));
    if (e.param_names.empty()) {
      JsonValue::Array params;
      for (const Value& v : e.params) params.push_back(ValueJson(v));
      t.Set("params", JsonValue::MakeArray(std::move(params)));
    } else {
      JsonValue params = JsonValue::MakeObject();
      for (size_t i = 0; i < e.params.size() && i < e.param_names.size(); ++i) {
        params.Set(e.param_names[i], ValueJson(e.params[i]));
      }
      t.Set("params", std::move(params));
    }
    traces.push_back(std::move(t));
  }
  JsonValue info = JsonValue::MakeObject();
  info.Set("request_duration_ms", JsonValue::Double((db::TraceClockSeconds() - start) * 1000));
  info.Set("sum_trace_duration_ms", JsonValue::Double(sum_ms));
  info.Set("num_traces", JsonValue::Int(static_cast<int64_t>(traces.size())));
  info.Set("traces", JsonValue::MakeArray(std::move(traces)));
  return info;
}

void AddTrace(http::Response& response, const JsonValue& info) {
  if (response.content_type.find("text/html") != std::string::npos) {
    const std::string_view close = "</body>";
    std::string pre = "<pre>" + ui::Escape(format::ToJsonText(info)) + "</pre>";
    for (size_t at = response.body.find(close); at != std::string::npos;
         at = response.body.find(close, at + pre.size() + close.size())) {
      response.body.insert(at, pre);
    }
  } else if (response.content_type.find("json") != std::string::npos &&
             response.body.starts_with("{")) {
    Result<JsonValue> data = format::ParseJson(response.body);
    if (!data.ok() || !data->is_object() || data->Find("_trace")) return;
    data->Set("_trace", info);
    response.body = format::ToJsonText(*data);
  }
}

}  // namespace

http::Response WithTrace(const api::Instance& instance, const api::Request& request,
                         const std::function<http::Response()>& handle) {
  const std::string* wanted = request.Arg("_trace");
  if (!instance.settings.trace_debug || !wanted || *wanted != "1") return handle();
  db::RequestTrace trace;
  double start = db::TraceClockSeconds();
  http::Response response;
  {
    db::TraceScope scope(&trace);
    response = handle();
  }
  if (response.deferred || response.stream) return response;
  AddTrace(response, TraceInfo(instance.registry, trace, start));
  return response;
}

}  // namespace almanac::web
