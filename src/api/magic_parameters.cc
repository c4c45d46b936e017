#include "api/magic_parameters.h"

#include <charconv>
#include <ctime>

#include <openssl/rand.h>

namespace almanac::api {
namespace {

Value FromJson(const format::JsonValue& v) {
  if (v.is_string()) return Value::Text(v.as_string());
  if (v.is_null()) return Value::Null();
  if (v.is_bool()) return Value::Integer(v.as_bool() ? 1 : 0);
  if (v.is_int()) return Value::Integer(v.as_int());
  if (v.is_number()) return Value::Real(v.as_double());
  return Value::Text(format::ToJsonText(v));
}

Status NoValue(std::string_view name, std::string_view why) {
  return InvalidArgument("Magic parameter :" + std::string(name) +
                         " has no value: " + std::string(why));
}

std::string FormatUtc(std::chrono::system_clock::time_point now, const char* format) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, format, &parts);
  return std::string(buf, n);
}

Result<Value> RandomChars(std::string_view name, std::string_view count_text) {
  size_t count = 0;
  auto [ptr, ec] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
  if (count_text.empty() || ec != std::errc() || ptr != count_text.data() + count_text.size() ||
      count > 1024 * 1024) {
    return NoValue(name, "expected _random_chars_<N>");
  }
  std::string bytes((count + 1) / 2, '\0');
  if (!bytes.empty() && RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()),
                                   static_cast<int>(bytes.size())) != 1) {
    return Internal("random number generator failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (char c : bytes) {
    hex += kHex[static_cast<unsigned char>(c) >> 4];
    hex += kHex[static_cast<unsigned char>(c) & 15];
  }
  hex.resize(count);
  return Value::Text(std::move(hex));
}

}  // namespace

std::optional<std::string> RequestCookie(const Request& request, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [header, value] : request.headers) {
    if (header != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view part = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      size_t eq = part.find('=');
      if (eq == std::string_view::npos || part.substr(0, eq) != name) continue;
      std::string_view v = part.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      found = std::string(v);
    }
  }
  return found;
}

Result<std::optional<Value>> MagicParameter(const Request& request, std::string_view name,
                                            std::chrono::system_clock::time_point now) {
  if (name.size() < 3 || name[0] != '_') return std::optional<Value>();
  std::string_view rest = name.substr(1);
  size_t split = rest.find('_');
  if (split == std::string_view::npos) return std::optional<Value>();
  std::string_view prefix = rest.substr(0, split);
  std::string_view key = rest.substr(split + 1);
  if (prefix == "header") {
    std::string header(key);
    for (char& c : header) {
      if (c == '_') c = '-';
    }
    const std::string* value = request.Header(header);
    return std::optional<Value>(Value::Text(value ? *value : ""));
  }
  if (prefix == "actor") {
    if (!request.actor) return NoValue(name, "no actor is signed in");
    const format::JsonValue* field = request.actor->data.Find(key);
    if (!field) return NoValue(name, "the actor has no \"" + std::string(key) + "\"");
    return std::optional<Value>(FromJson(*field));
  }
  if (prefix == "cookie") {
    std::optional<std::string> cookie = RequestCookie(request, key);
    if (!cookie) return NoValue(name, "no such cookie");
    return std::optional<Value>(Value::Text(std::move(*cookie)));
  }
  if (prefix == "now") {
    if (key == "epoch") {
      auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
      return std::optional<Value>(Value::Integer(seconds.count()));
    }
    if (key == "date_utc") return std::optional<Value>(Value::Text(FormatUtc(now, "%Y-%m-%d")));
    if (key == "datetime_utc") {
      return std::optional<Value>(Value::Text(FormatUtc(now, "%Y-%m-%dT%H:%M:%SZ")));
    }
    return NoValue(name, "expected _now_epoch, _now_date_utc or _now_datetime_utc");
  }
  if (prefix == "random") {
    if (!key.starts_with("chars_")) return NoValue(name, "expected _random_chars_<N>");
    ALM_ASSIGN_OR_RETURN(Value value, RandomChars(name, key.substr(6)));
    return std::optional<Value>(std::move(value));
  }
  return std::optional<Value>(Value::Null());  // Datasette binds None for unknown prefixes
}

db::ParamResolver RequestParameters(const Request& request, bool magic, std::string_view exclude) {
  auto now = std::chrono::system_clock::now();
  return [&request, magic, exclude = std::string(exclude),
          now](const std::string& name) -> Result<Value> {
    if (magic) {
      ALM_ASSIGN_OR_RETURN(std::optional<Value> value, MagicParameter(request, name, now));
      if (value) return std::move(*value);
    }
    const std::string* arg = name == exclude ? nullptr : request.Arg(name);
    if (arg) return Value::Text(*arg);
    if (name.starts_with("_")) {
      return InvalidArgument("You did not supply a value for binding parameter :" + name + ".");
    }
    return Value::Text("");
  };
}

}  // namespace almanac::api
