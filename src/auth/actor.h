// Actor: who is making a request. Datasette actors are JSON objects with at least an "id";
// anonymous requests have no actor.
#pragma once

#include <optional>
#include <string>

#include "format/json_value.h"

namespace almanac::auth {

struct Actor {
  format::JsonValue data;  // the actor object, e.g. {"id": "root"}

  // The "id" member as a string ("" when missing); numbers are printed.
  std::string id() const;
  // The token restrictions ("_r") this actor carries, or nullptr.
  const format::JsonValue* restrictions() const { return data.Find("_r"); }
  bool is_token() const { return data.Find("token") != nullptr; }
};

using MaybeActor = std::optional<Actor>;

}  // namespace almanac::auth
