// ParseJsonMembers: a few members of a big object, the rest skipped.
#include "format/json_members.h"

#include <gtest/gtest.h>

namespace almanac::format {
namespace {

TEST(JsonMembers, ReadsTheNamedMembersOnly) {
  Result<JsonValue> m = ParseJsonMembers(
      R"({"ok": true, "next": "1000", "next_url": null, "rows": [{"a": [1, {"b": 2}]}]})",
      {"next", "next_url", "missing"});
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->as_object().size(), 2u);
  EXPECT_EQ(m->Find("next")->as_string(), "1000");
  EXPECT_TRUE(m->Find("next_url")->is_null());
  Result<JsonValue> nested = ParseJsonMembers(R"({"rows": [{"a": [1, {"b": 2.5}]}]})", {"rows"});
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(nested->Find("rows")->as_array()[0].Find("a")->as_array()[1].Find("b")->as_double(),
            2.5);
}

TEST(JsonMembers, NotAnObjectAndInvalidJson) {
  Result<JsonValue> array = ParseJsonMembers("[1, 2]", {"next"});
  ASSERT_TRUE(array.ok());
  EXPECT_TRUE(array->as_object().empty());
  Result<JsonValue> bad = ParseJsonMembers("{\"next\": ", {"next"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("Invalid JSON: ", 0), 0u);
}

}  // namespace
}  // namespace almanac::format
