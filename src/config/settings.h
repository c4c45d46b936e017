// Settings: Datasette 1.0a37's 24 settings (`--setting NAME VALUE`, or `settings:` in the config
// file), their defaults, and validation. Read-only once the server starts.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace almanac::config {

enum class SettingKind { kInt, kBool, kString };

struct SettingSpec {
  std::string_view name;
  SettingKind kind;
  std::string_view default_value;  // as it would be typed on the command line
  std::string_view help;
};

// Every setting, in Datasette's order (the order of /-/settings.json).
std::span<const SettingSpec> AllSettings();

struct Settings {
  int64_t default_page_size = 100;
  int64_t max_returned_rows = 1000;
  int64_t max_insert_rows = 100;
  int64_t max_post_body_bytes = 2 * 1024 * 1024;
  int64_t num_sql_threads = 3;
  int64_t sql_time_limit_ms = 1000;
  int64_t default_facet_size = 30;
  int64_t facet_time_limit_ms = 200;
  int64_t facet_suggest_time_limit_ms = 50;
  bool allow_facet = true;
  bool allow_download = true;
  bool allow_signed_tokens = true;
  bool default_allow_sql = true;
  int64_t max_signed_tokens_ttl = 0;
  bool suggest_facets = true;
  int64_t default_cache_ttl = 5;
  int64_t cache_size_kb = 0;
  bool allow_csv_stream = true;
  int64_t max_csv_mb = 100;
  int64_t truncate_cells_html = 2048;
  bool force_https_urls = false;
  bool template_debug = false;
  bool trace_debug = false;
  std::string base_url = "/";

  // Sets one setting from its textual form. Unknown names, non-integers for integer
  // settings and anything but on/off/true/false/1/0 for booleans are InvalidArgument.
  Status Set(std::string_view name, std::string_view value);

  // {"ok": true, "default_page_size": 100, ...} in Datasette's order.
  std::string ToJson() const;
};

}  // namespace almanac::config
