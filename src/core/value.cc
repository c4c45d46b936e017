#include "core/value.h"

#include "core/float_repr.h"

namespace almanac {

std::string Value::ToDisplayString() const {
  switch (type()) {
    case Type::kNull:
      return "None";
    case Type::kInteger:
      return std::to_string(integer());
    case Type::kReal:
      return PythonFloat(real());
    case Type::kText:
      return text();
    case Type::kBlob:
      return blob();
  }
  return {};
}

}  // namespace almanac
