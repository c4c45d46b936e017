#include "config/settings.h"

#include <array>
#include <charconv>

#include "core/text.h"
#include "format/json_writer.h"

namespace almanac::config {
namespace {

using K = SettingKind;

constexpr std::array<SettingSpec, 24> kSettings = {{
    {"default_page_size", K::kInt, "100", "Default page size for the table view"},
    {"max_returned_rows", K::kInt, "1000",
     "Maximum rows that can be returned from a table or custom query"},
    {"max_insert_rows", K::kInt, "100",
     "Maximum rows that can be inserted at a time using the bulk insert API"},
    {"max_post_body_bytes", K::kInt, "2097152",
     "Maximum size in bytes for a POST body read into memory - set 0 to disable this limit"},
    {"num_sql_threads", K::kInt, "3",
     "Number of threads in the thread pool for executing SQLite queries"},
    {"sql_time_limit_ms", K::kInt, "1000", "Time limit for a SQL query in milliseconds"},
    {"default_facet_size", K::kInt, "30", "Number of values to return for requested facets"},
    {"facet_time_limit_ms", K::kInt, "200", "Time limit for calculating a requested facet"},
    {"facet_suggest_time_limit_ms", K::kInt, "50", "Time limit for calculating a suggested facet"},
    {"allow_facet", K::kBool, "true",
     "Allow users to specify columns to facet using ?_facet= parameter"},
    {"allow_download", K::kBool, "true",
     "Allow users to download the original SQLite database files"},
    {"allow_signed_tokens", K::kBool, "true", "Allow users to create and use signed API tokens"},
    {"default_allow_sql", K::kBool, "true", "Allow anyone to run arbitrary SQL queries"},
    {"max_signed_tokens_ttl", K::kInt, "0", "Maximum allowed expiry time for signed API tokens"},
    {"suggest_facets", K::kBool, "true", "Calculate and display suggested facets"},
    {"default_cache_ttl", K::kInt, "5",
     "Default HTTP cache TTL (used in Cache-Control: max-age= header)"},
    {"cache_size_kb", K::kInt, "0", "SQLite cache size in KB (0 == use SQLite default)"},
    {"allow_csv_stream", K::kBool, "true",
     "Allow .csv?_stream=1 to download all rows (ignoring max_returned_rows)"},
    {"max_csv_mb", K::kInt, "100",
     "Maximum size allowed for CSV export in MB - set 0 to disable this limit"},
    {"truncate_cells_html", K::kInt, "2048",
     "Truncate cells longer than this in HTML table view - set 0 to disable"},
    {"force_https_urls", K::kBool, "false",
     "Force URLs in API output to always use https:// protocol"},
    {"template_debug", K::kBool, "false",
     "Allow display of template debug information with ?_context=1"},
    {"trace_debug", K::kBool, "false",
     "Allow display of SQL trace debug information with ?_trace=1"},
    {"base_url", K::kString, "/", "Datasette URLs should use this base path"},
}};

bool ParseBool(std::string_view v, bool& out) {
  std::string lower = AsciiLower(v);
  if (lower == "on" || lower == "true" || lower == "1") {
    out = true;
    return true;
  }
  if (lower == "off" || lower == "false" || lower == "0") {
    out = false;
    return true;
  }
  return false;
}

bool ParseNonNegative(std::string_view v, int64_t& out) {
  if (v.empty()) return false;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && ptr == v.data() + v.size();
}

// The field of `s` that holds setting `name`, by kind; nullptr when unknown.
int64_t* IntField(Settings& s, std::string_view name) {
  if (name == "default_page_size") return &s.default_page_size;
  if (name == "max_returned_rows") return &s.max_returned_rows;
  if (name == "max_insert_rows") return &s.max_insert_rows;
  if (name == "max_post_body_bytes") return &s.max_post_body_bytes;
  if (name == "num_sql_threads") return &s.num_sql_threads;
  if (name == "sql_time_limit_ms") return &s.sql_time_limit_ms;
  if (name == "default_facet_size") return &s.default_facet_size;
  if (name == "facet_time_limit_ms") return &s.facet_time_limit_ms;
  if (name == "facet_suggest_time_limit_ms") return &s.facet_suggest_time_limit_ms;
  if (name == "max_signed_tokens_ttl") return &s.max_signed_tokens_ttl;
  if (name == "default_cache_ttl") return &s.default_cache_ttl;
  if (name == "cache_size_kb") return &s.cache_size_kb;
  if (name == "max_csv_mb") return &s.max_csv_mb;
  if (name == "truncate_cells_html") return &s.truncate_cells_html;
  return nullptr;
}

bool* BoolField(Settings& s, std::string_view name) {
  if (name == "allow_facet") return &s.allow_facet;
  if (name == "allow_download") return &s.allow_download;
  if (name == "allow_signed_tokens") return &s.allow_signed_tokens;
  if (name == "default_allow_sql") return &s.default_allow_sql;
  if (name == "suggest_facets") return &s.suggest_facets;
  if (name == "allow_csv_stream") return &s.allow_csv_stream;
  if (name == "force_https_urls") return &s.force_https_urls;
  if (name == "template_debug") return &s.template_debug;
  if (name == "trace_debug") return &s.trace_debug;
  return nullptr;
}

}  // namespace

std::span<const SettingSpec> AllSettings() { return kSettings; }

Status Settings::Set(std::string_view name, std::string_view value) {
  if (int64_t* field = IntField(*this, name)) {
    int64_t parsed = 0;
    if (!ParseNonNegative(value, parsed)) {
      return InvalidArgument("\"settings." + std::string(name) + "\" should be an integer");
    }
    if (name == "num_sql_threads" && parsed < 1) {
      return InvalidArgument("\"settings.num_sql_threads\" should be at least 1");
    }
    *field = parsed;
    return Status::Ok();
  }
  if (bool* field = BoolField(*this, name)) {
    if (!ParseBool(value, *field)) {
      return InvalidArgument("\"settings." + std::string(name) +
                             "\" should be on/off/true/false/1/0");
    }
    return Status::Ok();
  }
  if (name == "base_url") {
    std::string v(value);
    if (v.empty() || v.front() != '/') v.insert(v.begin(), '/');
    if (v.back() != '/') v += '/';
    base_url = v;
    return Status::Ok();
  }
  return InvalidArgument("Invalid setting '" + std::string(name) + "' in settings parameter");
}

std::string Settings::ToJson() const {
  std::string out;
  format::JsonWriter w(out);
  Settings copy = *this;
  w.BeginObject();
  w.MemberBool("ok", true);
  for (const SettingSpec& spec : kSettings) {
    w.Key(spec.name);
    if (int64_t* i = IntField(copy, spec.name)) {
      w.Int(*i);
    } else if (bool* b = BoolField(copy, spec.name)) {
      w.Bool(*b);
    } else {
      w.String(base_url);
    }
  }
  w.EndObject();
  return out;
}

}  // namespace almanac::config
