#include "config/settings.h"

#include <string>

#include <gtest/gtest.h>

namespace almanac::config {
namespace {

TEST(Settings, DefaultsMatchDatasettesSettingsJson) {
  // /-/settings.json recorded from Datasette 1.0a37.
  EXPECT_EQ(
      Settings().ToJson(),
      R"({"ok": true, "default_page_size": 100, "max_returned_rows": 1000, "max_insert_rows": 100, )"
      R"("max_post_body_bytes": 2097152, "num_sql_threads": 3, "sql_time_limit_ms": 1000, )"
      R"("default_facet_size": 30, "facet_time_limit_ms": 200, "facet_suggest_time_limit_ms": 50, )"
      R"("allow_facet": true, "allow_download": true, "allow_signed_tokens": true, )"
      R"("default_allow_sql": true, "max_signed_tokens_ttl": 0, "suggest_facets": true, )"
      R"("default_cache_ttl": 5, "cache_size_kb": 0, "allow_csv_stream": true, "max_csv_mb": 100, )"
      R"("truncate_cells_html": 2048, "force_https_urls": false, "template_debug": false, )"
      R"("trace_debug": false, "base_url": "/"})");
}

TEST(Settings, AllTwentyFourAcceptTheirDefaults) {
  ASSERT_EQ(AllSettings().size(), 24u);
  Settings s;
  for (const SettingSpec& spec : AllSettings()) {
    EXPECT_TRUE(s.Set(spec.name, spec.default_value).ok()) << spec.name;
    EXPECT_FALSE(spec.help.empty()) << spec.name;
  }
  EXPECT_EQ(s.ToJson(), Settings().ToJson());
}

TEST(Settings, BadValuesUseDatasettesWording) {
  Settings s;
  for (const SettingSpec& spec : AllSettings()) {
    std::string quoted = "\"settings." + std::string(spec.name) + "\"";
    if (spec.kind == SettingKind::kInt) {
      for (std::string_view bad : {"abc", "-1", "1.5", "", " 5", "1e3", "99999999999999999999"}) {
        Status st = s.Set(spec.name, bad);
        ASSERT_FALSE(st.ok()) << spec.name << "=" << bad;
        EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
        EXPECT_EQ(st.message(), quoted + " should be an integer") << bad;
      }
    } else if (spec.kind == SettingKind::kBool) {
      for (std::string_view bad : {"maybe", "yes", "2", ""}) {
        Status st = s.Set(spec.name, bad);
        ASSERT_FALSE(st.ok()) << spec.name << "=" << bad;
        EXPECT_EQ(st.message(), quoted + " should be on/off/true/false/1/0");
      }
    }
  }
  EXPECT_EQ(s.ToJson(), Settings().ToJson()) << "a rejected value must not change anything";
}

TEST(Settings, UnknownNameIsAnError) {
  Settings s;
  Status st = s.Set("nope", "1");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "Invalid setting 'nope' in settings parameter");
}

TEST(Settings, BooleansAcceptEveryDatasetteSpelling) {
  Settings s;
  for (std::string_view yes : {"on", "true", "1", "ON", "True"}) {
    s.allow_facet = false;
    ASSERT_TRUE(s.Set("allow_facet", yes).ok()) << yes;
    EXPECT_TRUE(s.allow_facet) << yes;
  }
  for (std::string_view no : {"off", "false", "0", "OFF", "False"}) {
    s.allow_facet = true;
    ASSERT_TRUE(s.Set("allow_facet", no).ok()) << no;
    EXPECT_FALSE(s.allow_facet) << no;
  }
}

TEST(Settings, IntegersAreStored) {
  Settings s;
  ASSERT_TRUE(s.Set("default_page_size", "5").ok());
  ASSERT_TRUE(s.Set("sql_time_limit_ms", "25").ok());
  ASSERT_TRUE(s.Set("max_post_body_bytes", "0").ok());
  EXPECT_EQ(s.default_page_size, 5);
  EXPECT_EQ(s.sql_time_limit_ms, 25);
  EXPECT_EQ(s.max_post_body_bytes, 0);
  EXPECT_FALSE(s.Set("num_sql_threads", "0").ok());
  EXPECT_EQ(s.num_sql_threads, 3);
}

TEST(Settings, BaseUrlIsKeptAsAPath) {
  Settings s;
  ASSERT_TRUE(s.Set("base_url", "/prefix/").ok());
  EXPECT_EQ(s.base_url, "/prefix/");
}

}  // namespace
}  // namespace almanac::config
