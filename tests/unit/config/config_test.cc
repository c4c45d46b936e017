#include "config/config.h"

#include <gtest/gtest.h>

#include "config/document.h"

namespace almanac::config {
namespace {

using format::JsonValue;

JsonValue Parse(std::string_view text) {
  Result<JsonValue> v = format::ParseJson(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : JsonValue();
}

TEST(Config, TableOptionsMoveFromMetadataToConfig) {
  Config c =
      Config::FromDocuments(Parse(R"({"databases": {"db": {"tables": {"t": {"size": 10}}}}})"),
                            Parse(R"({"title": "T", "databases": {"db": {"tables": {
          "t": {"sort_desc": "pk", "hidden": true, "description": "kept"},
          "u": {"sortable_columns": ["a", "b"], "label_column": "name"}}}}})"));
  EXPECT_EQ(
      format::ToJsonText(c.config()),
      R"({"databases": {"db": {"tables": {"t": {"size": 10, "hidden": true, )"
      R"("sort_desc": "pk"}, "u": {"sortable_columns": ["a", "b"], "label_column": "name"}}}}})");
  // Keys move in Datasette's _table_config_keys order (hidden, sort, sort_desc, size, ...).
  // What is left in the metadata; `u` became empty and is pruned, as Datasette does.
  EXPECT_EQ(format::ToJsonText(c.metadata()),
            R"({"title": "T", "databases": {"db": {"tables": {"t": {"description": "kept"}}}}})");
  TableOptions t = c.Table("db", "t");
  EXPECT_EQ(t.size, 10);
  EXPECT_EQ(t.sort_desc, "pk");
  EXPECT_TRUE(t.hidden);
  EXPECT_FALSE(t.sort.has_value());
  TableOptions u = c.Table("db", "u");
  ASSERT_TRUE(u.sortable_columns.has_value());
  EXPECT_EQ(*u.sortable_columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(u.label_column, "name");
  EXPECT_FALSE(c.Table("db", "missing").hidden);
  EXPECT_EQ(c.TableMetadata("db", "t")->Find("description")->as_string(), "kept");
}

TEST(Config, MetadataWinsOverConfigForTheSameTableKey) {
  Config c =
      Config::FromDocuments(Parse(R"({"databases": {"db": {"tables": {"t": {"sort": "a"}}}}})"),
                            Parse(R"({"databases": {"db": {"tables": {"t": {"sort": "b"}}}}})"));
  EXPECT_EQ(c.Table("db", "t").sort, "b");
}

TEST(Config, PluginsAndAllowMoveToTheSamePathInConfig) {
  Config c =
      Config::FromDocuments(Parse(R"({"plugins": {"p": {"depth": "config"}}})"),
                            Parse(R"({"allow": {"id": "root"}, "plugins": {"p": {"depth": "root"}},
                "databases": {"db": {"allow": false, "source": "S",
                  "queries": {"q": {"sql": "select 1", "allow": {"id": "a"}}},
                  "tables": {"t": {"allow": {"id": "b"}, "plugins": {"p": 1}}}}}})"));
  EXPECT_EQ(format::ToJsonText(c.config()),
            R"({"plugins": {"p": {"depth": "root"}}, "allow": {"id": "root"}, )"
            R"("databases": {"db": {"allow": false, "queries": {"q": {"allow": {"id": "a"}}}, )"
            R"("tables": {"t": {"allow": {"id": "b"}, "plugins": {"p": 1}}}}}})");
  EXPECT_EQ(format::ToJsonText(c.metadata()),
            R"({"databases": {"db": {"source": "S", "queries": {"q": {"sql": "select 1"}}}}})");
}

TEST(Config, NonObjectDocumentsAreTreatedAsEmpty) {
  Config c = Config::FromDocuments(JsonValue::Int(3), JsonValue::MakeArray());
  EXPECT_EQ(format::ToJsonText(c.config()), "{}");
  EXPECT_EQ(format::ToJsonText(c.metadata()), "{}");
  EXPECT_EQ(c.DatabaseConfig("db"), nullptr);
  EXPECT_EQ(c.TableConfig("db", "t"), nullptr);
  EXPECT_EQ(c.DatabaseMetadata("db"), nullptr);
}

TEST(Config, RedactionHidesSecretsAtAnyDepth) {
  Config c = Config::FromDocuments(
      Parse(R"({"plugins": {"p": {"api_key": "k", "client_secret": "s", "password": "pw",
                 "auth_token": "t", "password_hash": "h", "dsn": "postgres://",
                 "list": [{"my_key": 1, "other": 2}], "plain": "visible"}},
               "databases": {"db": {"tables": {"simple_primary_key": {"x": 1}}}}})"),
      JsonValue::MakeObject());
  EXPECT_EQ(format::ToJsonText(c.Redacted()),
            R"({"plugins": {"p": {"api_key": "***", "client_secret": "***", "password": "***", )"
            R"("auth_token": "***", "password_hash": "***", "dsn": "***", )"
            R"("list": [{"my_key": "***", "other": 2}], "plain": "visible"}}, )"
            R"("databases": {"db": {"tables": {"simple_primary_key": "***"}}}})");
  // The config itself is unchanged.
  EXPECT_EQ(c.config().Find("plugins")->Find("p")->Find("password")->as_string(), "pw");
}

TEST(Document, YamlScalarsAreTypedAndQuotedOnesStayStrings) {
  Result<JsonValue> doc = ParseDocument(
      "settings:\n  default_page_size: 5\n  allow_facet: false\n  base_url: '/x/'\n"
      "ratio: 1.5\nnothing: ~\nquoted: '10'\nlist: [a, 2]\n",
      "config.yml");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(format::ToJsonText(*doc),
            R"({"settings": {"default_page_size": 5, "allow_facet": false, "base_url": "/x/"}, )"
            R"("ratio": 1.5, "nothing": null, "quoted": "10", "list": ["a", 2]})");
}

TEST(Document, JsonAndEmptyDocuments) {
  Result<JsonValue> json = ParseDocument(R"({"a": [1, 2]})", "config.json");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(format::ToJsonText(*json), R"({"a": [1, 2]})");
  Result<JsonValue> empty = ParseDocument("", "config.yml");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(format::ToJsonText(*empty), "{}");
}

TEST(Document, ErrorsNameTheFile) {
  Result<JsonValue> list = ParseDocument("- a\n- b\n", "m.yml");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().message(), "m.yml must contain a JSON/YAML object");
  Result<JsonValue> broken = ParseDocument("a: [1, 2\n", "m.yml");
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(broken.status().message().starts_with("Could not parse m.yml"))
      << broken.status().message();
  Result<JsonValue> missing = LoadDocument("/nonexistent/config.yml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace almanac::config
