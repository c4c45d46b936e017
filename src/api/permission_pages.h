// The permission pages of Datasette 1.0a37 as JSON models: /-/check.json, /-/allowed.json,
// /-/rules.json, the POST of /-/permissions, and what /-/create-token and /-/permissions show.
// Errors are Statuses with Datasette's messages (400 / 403 / 404).
#pragma once

#include <string>
#include <vector>

#include "api/context.h"
#include "api/special.h"
#include "auth/permissions.h"
#include "format/json_value.h"

namespace almanac::api {

inline constexpr std::string_view kUnstableApiMessage =
    "This API is not part of Datasette's stable interface and may change at any time";

// /-/check.json?action=&parent=&child=&actor= (needs permissions-debug).
Result<SpecialPage> CheckPage(const Instance& instance, const Request& request);
// POST /-/permissions with form fields actor (JSON), permission, resource_1, resource_2.
Result<SpecialPage> PermissionsDebugPost(const Instance& instance, const Request& request);
// /-/allowed.json?action=&parent=&child=&_page=&_size=
Result<SpecialPage> AllowedPage(const Instance& instance, const Request& request);
// /-/rules.json?action=&_page=&_size= (needs permissions-debug).
Result<SpecialPage> RulesPage(const Instance& instance, const Request& request);

// A check result as Datasette's _check_permission_for_actor returns it.
format::JsonValue CheckJson(const Instance& instance, const auth::MaybeActor& actor,
                            auth::Action action, const std::string* parent,
                            const std::string* child);
format::JsonValue ExplanationJson(const auth::Explanation& e);

// Databases (minus _memory) and their tables the actor may view, for the create-token form.
struct ViewableDatabase {
  std::string name;
  std::vector<std::string> tables;
};
std::vector<ViewableDatabase> ViewableDatabases(const Instance& instance,
                                                const auth::MaybeActor& actor);

// Every (parent, child) resource of an action's kind: databases, tables and views, or canned
// queries; one (null, null) for instance actions. Sorted by parent, then child.
std::vector<auth::Resource> ResourcesFor(const Instance& instance, auth::Action action);

// Parses an application/x-www-form-urlencoded body into its fields, in order.
QueryArgs ParseForm(const std::string& body);

}  // namespace almanac::api
