#include "auth/actor.h"

#include "core/float_repr.h"

namespace almanac::auth {

std::string Actor::id() const {
  const format::JsonValue* id = data.Find("id");
  if (!id) return {};
  if (id->is_string()) return id->as_string();
  if (id->is_int()) return std::to_string(id->as_int());
  if (id->is_number()) return PythonFloat(id->as_double());
  return {};
}

}  // namespace almanac::auth
