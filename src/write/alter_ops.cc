#include "write/alter_ops.h"

#include <algorithm>
#include <array>

#include "write/cells.h"
#include "write/validate.h"

namespace almanac::write {
namespace {

using format::JsonValue;

constexpr std::array<std::string_view, 10> kOps = {
    "add_column",       "rename_column",   "rename_table",    "alter_column",
    "drop_column",      "set_primary_key", "reorder_columns", "add_foreign_key",
    "drop_foreign_key", "set_foreign_keys"};

// Collects pydantic-style errors for one object at location `loc`.
class Fields {
 public:
  Fields(const JsonValue& object, std::string loc, std::vector<std::string>& errors)
      : object_(object), loc_(std::move(loc)), errors_(errors) {}

  void Allow(const std::vector<std::string_view>& keys) {
    for (const std::string& key : ExtraKeys(object_, keys)) {
      Error(key, "Extra inputs are not permitted");
    }
  }
  // A required (or optional) string.
  std::optional<std::string> Str(const char* key, bool required) {
    const JsonValue* v = object_.Find(key);
    if (!v) {
      if (required) Error(key, "Field required");
      return std::nullopt;
    }
    if (!v->is_string()) {
      if (required || !v->is_null()) Error(key, "Input should be a valid string");
      return std::nullopt;
    }
    return v->as_string();
  }
  std::optional<bool> Bool(const char* key, bool nullable) {
    const JsonValue* v = object_.Find(key);
    if (!v || (nullable && v->is_null())) return std::nullopt;
    Result<bool> b = LaxBool(*v, Loc(key));
    if (!b.ok()) {
      errors_.push_back(b.status().message());
      return std::nullopt;
    }
    return *b;
  }
  std::optional<std::string> Type(const char* key, bool nullable) {
    const JsonValue* v = object_.Find(key);
    if (!v || (nullable && v->is_null())) return std::nullopt;
    std::optional<std::string> sql = v->is_string() ? SqlTypeFor(v->as_string()) : std::nullopt;
    if (!sql) Error(key, "Input should be 'text', 'integer', 'float' or 'blob'");
    return sql;
  }
  std::optional<std::vector<std::string>> Names(const char* key) {
    const JsonValue* v = object_.Find(key);
    if (!v) {
      Error(key, "Field required");
      return std::nullopt;
    }
    if (!v->is_array()) {
      Error(key, "Input should be a valid list");
      return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (size_t i = 0; i < v->as_array().size(); ++i) {
      const JsonValue& item = v->as_array()[i];
      if (!item.is_string()) {
        Error(std::string(key) + "." + std::to_string(i), "Input should be a valid string");
        ok = false;
      } else {
        out.push_back(item.as_string());
      }
    }
    if (ok && out.empty()) {
      Error(key, "List should have at least 1 item after validation, not 0");
      return std::nullopt;
    }
    return ok ? std::optional(out) : std::nullopt;
  }
  // "default" / "default_expr" with their checks; nullopt when neither was given.
  std::optional<DefaultSpec> Default() {
    const JsonValue* def = object_.Find("default");
    const JsonValue* expr = object_.Find("default_expr");
    DefaultSpec spec;
    if (expr && !expr->is_null()) {
      if (!expr->is_string() || !DefaultExprSql(expr->as_string())) {
        Error("default_expr", expr->is_string() ? DefaultExprError()
                                                : std::string("Input should be a valid string"));
        return std::nullopt;
      }
      spec.expr_sql = DefaultExprSql(expr->as_string());
    }
    if (def && !def->is_null()) {
      Result<Value> v = CellValue(*def);
      if (!v.ok() || def->is_array() || def->is_object()) {
        Error("default", "Input should be a string, number or boolean");
        return std::nullopt;
      }
      spec.literal = *v;
    }
    if (!def && !expr) return std::nullopt;
    return spec;
  }
  // Model-level checks, run only when the fields were fine.
  bool Clean() const { return errors_.size() == start_; }
  void ModelError(const std::string& message) { errors_.push_back(loc_ + ": " + message); }
  void Raw(std::string message) { errors_.push_back(std::move(message)); }
  bool Has(const char* key) const { return object_.Find(key) != nullptr; }
  const JsonValue* Find(const char* key) const { return object_.Find(key); }
  const std::string& loc() const { return loc_; }

 private:
  std::string Loc(const std::string& key) const { return loc_ + "." + key; }
  void Error(const std::string& key, const std::string& message) {
    errors_.push_back(Loc(key) + ": " + message);
  }
  const JsonValue& object_;
  std::string loc_;
  std::vector<std::string>& errors_;
  size_t start_ = errors_.size();
};

void CheckDefaultPair(Fields& f) {
  if (!f.Clean()) return;
  if (f.Has("default") && f.Has("default_expr")) {
    f.ModelError("Value error, default and default_expr cannot both be provided");
  } else if (f.Has("default_expr") && f.Find("default_expr")->is_null()) {
    f.ModelError("Value error, default_expr cannot be null");
  }
}

std::optional<ForeignKeySpec> ParseForeignKey(Fields& f) {
  f.Allow({"column", "fk_table", "fk_column"});
  std::optional<std::string> column = f.Str("column", true);
  std::optional<std::string> table = f.Str("fk_table", false);
  std::optional<std::string> other = f.Str("fk_column", false);
  if (!f.Clean()) return std::nullopt;
  if (other && !other->empty() && (!table || table->empty())) {
    f.ModelError("fk_column requires fk_table");
    return std::nullopt;
  }
  if (!table || table->empty()) {
    f.ModelError("fk_table is required");
    return std::nullopt;
  }
  ForeignKeySpec spec{*column, *table, std::nullopt};
  if (other && !other->empty()) spec.fk_column = other;
  return spec;
}

void ParseArgs(std::string_view op, Fields& f, AlterPlan& plan) {
  if (op == "add_column") {
    f.Allow({"name", "type", "not_null", "default", "default_expr"});
    AddColumn add;
    std::optional<std::string> name = f.Str("name", true);
    std::optional<std::string> type = f.Type("type", false);
    std::optional<bool> not_null = f.Bool("not_null", false);
    std::optional<DefaultSpec> def = f.Default();
    CheckDefaultPair(f);
    if (!f.Clean()) return;
    add.name = *name;
    if (type) add.type = *type;
    add.not_null = not_null.value_or(false);
    add.default_value = def;
    plan.add_columns.push_back(std::move(add));
  } else if (op == "rename_column") {
    f.Allow({"name", "to"});
    std::optional<std::string> name = f.Str("name", true);
    std::optional<std::string> to = f.Str("to", true);
    if (f.Clean()) plan.rename[*name] = *to;
  } else if (op == "rename_table") {
    f.Allow({"to"});
    std::optional<std::string> to = f.Str("to", true);
    if (!f.Clean()) return;
    if (!ValidTableName(*to)) {
      f.ModelError("Invalid table name");
      return;
    }
    plan.rename_table_to = *to;
  } else if (op == "alter_column") {
    f.Allow({"name", "type", "not_null", "default", "default_expr"});
    std::optional<std::string> name = f.Str("name", true);
    std::optional<std::string> type = f.Type("type", true);
    std::optional<bool> not_null = f.Bool("not_null", true);
    std::optional<DefaultSpec> def = f.Default();
    CheckDefaultPair(f);
    if (!f.Clean()) return;
    if (!f.Has("type") && !f.Has("not_null") && !def) {
      f.ModelError(
          "Value error, At least one of type, not_null, default or default_expr must be "
          "provided");
      return;
    }
    if (type) plan.types[*name] = *type;
    if (not_null) plan.not_null[*name] = *not_null;
    if (def) plan.defaults[*name] = *def;
  } else if (op == "drop_column") {
    f.Allow({"name"});
    std::optional<std::string> name = f.Str("name", true);
    if (f.Clean()) plan.drop.push_back(*name);
  } else if (op == "set_primary_key" || op == "reorder_columns") {
    f.Allow({"columns"});
    std::optional<std::vector<std::string>> columns = f.Names("columns");
    if (!f.Clean()) return;
    (op == "set_primary_key" ? plan.primary_keys : plan.column_order) = *columns;
  } else if (op == "add_foreign_key") {
    std::optional<ForeignKeySpec> fk = ParseForeignKey(f);
    if (fk) plan.add_foreign_keys.push_back(*fk);
  } else if (op == "drop_foreign_key") {
    f.Allow({"column"});
    std::optional<std::string> column = f.Str("column", true);
    if (f.Clean()) plan.drop_foreign_keys.push_back(*column);
  } else if (op == "set_foreign_keys") {
    f.Allow({"foreign_keys"});
    const JsonValue* list = f.Find("foreign_keys");
    if (!list || !list->is_array()) {
      f.ModelError(list ? "foreign_keys: Input should be a valid list"
                        : "foreign_keys: Field required");
      return;
    }
    std::vector<ForeignKeySpec> fks;
    std::vector<std::string> errors;
    for (size_t i = 0; i < list->as_array().size(); ++i) {
      const JsonValue& item = list->as_array()[i];
      std::string loc = f.loc() + ".foreign_keys." + std::to_string(i);
      if (!item.is_object()) {
        f.ModelError("foreign_keys." + std::to_string(i) +
                     ": Input should be a valid dictionary or instance of ForeignKeyArgs");
        continue;
      }
      Fields item_fields(item, loc, errors);
      std::optional<ForeignKeySpec> fk = ParseForeignKey(item_fields);
      if (fk) fks.push_back(*fk);
    }
    for (std::string& e : errors) f.Raw(std::move(e));
    if (f.Clean()) plan.foreign_keys = std::move(fks);
  }
}

void ParseOperation(const JsonValue& op, size_t i, AlterPlan& plan,
                    std::vector<std::string>& errors) {
  std::string loc = "operations." + std::to_string(i);
  if (!op.is_object()) {
    errors.push_back(loc + ": Input should be a valid dictionary or object to extract fields from");
    return;
  }
  const JsonValue* tag = op.Find("op");
  if (!tag || !tag->is_string()) {
    errors.push_back(loc + ": Unable to extract tag using discriminator 'op'");
    return;
  }
  const std::string& name = tag->as_string();
  if (std::find(kOps.begin(), kOps.end(), name) == kOps.end()) {
    std::string expected;
    for (size_t k = 0; k < kOps.size(); ++k) {
      expected += (k ? ", '" : "'") + std::string(kOps[k]) + "'";
    }
    errors.push_back(loc + ": Input tag '" + name +
                     "' found using 'op' does not match any of the expected tags: " + expected);
    return;
  }
  std::string op_loc = loc + "." + name;
  Fields fields(op, op_loc, errors);
  fields.Allow({"op", "args"});
  const JsonValue* args = op.Find("args");
  if (!args) {
    errors.push_back(op_loc + ".args: Field required");
    return;
  }
  if (!args->is_object()) {
    errors.push_back(op_loc + ".args: Input should be a valid dictionary or instance of " +
                     "the arguments model");
    return;
  }
  Fields arg_fields(*args, op_loc + ".args", errors);
  ParseArgs(name, arg_fields, plan);
}

}  // namespace

bool AlterPlan::NeedsRebuild() const {
  return !types.empty() || !rename.empty() || !drop.empty() || !not_null.empty() ||
         !defaults.empty() || column_order || primary_keys || !add_foreign_keys.empty() ||
         !drop_foreign_keys.empty() || foreign_keys;
}

Result<AlterPlan> ParseAlterRequest(const format::JsonValue& body) {
  std::vector<std::string> errors;
  for (const std::string& key : ExtraKeys(body, {"operations"})) {
    errors.push_back(key + ": Extra inputs are not permitted");
  }
  AlterPlan plan;
  const JsonValue* ops = body.Find("operations");
  if (!ops) {
    errors.push_back("operations: Field required");
  } else if (!ops->is_array()) {
    errors.push_back("operations: Input should be a valid list");
  } else if (ops->as_array().empty()) {
    errors.push_back("operations: List should have at least 1 item after validation, not 0");
  } else {
    for (size_t i = 0; i < ops->as_array().size(); ++i) {
      ParseOperation(ops->as_array()[i], i, plan, errors);
    }
    plan.operations = ops->as_array().size();
  }
  if (!errors.empty()) return Status(ErrorCode::kInvalidArgument, std::move(errors));
  // Datasette applies add_column's default through the rebuild unless the column is NOT NULL.
  for (const AddColumn& add : plan.add_columns) {
    if (add.default_value && !add.not_null) plan.defaults[add.name] = *add.default_value;
  }
  return plan;
}

}  // namespace almanac::write
