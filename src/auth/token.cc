#include "auth/token.h"

#include "auth/action.h"
#include "auth/signer.h"

namespace almanac::auth {
namespace {

using format::JsonValue;

template <typename List, typename Key>
auto& Entry(List& list, const Key& key) {
  for (auto& [k, v] : list) {
    if (k == key) return v;
  }
  list.emplace_back(key, typename List::value_type::second_type{});
  return list.back().second;
}

std::string Abbreviate(const std::string& action) {
  std::optional<Action> known = ActionByName(action);
  // Only full names are looked up, as Datasette's actions.get(name) does.
  if (!known || Info(*known).name != action) return action;
  return std::string(Info(*known).abbr);
}

JsonValue AbbreviatedList(const std::vector<std::string>& actions) {
  JsonValue::Array out;
  for (const std::string& a : actions) out.push_back(JsonValue::String(Abbreviate(a)));
  return JsonValue::MakeArray(std::move(out));
}

// Python's isinstance(x, int): true for ints and for booleans.
std::optional<int64_t> PythonInt(const JsonValue* v) {
  if (!v) return std::nullopt;
  if (v->is_int()) return v->as_int();
  if (v->is_bool()) return v->as_bool() ? 1 : 0;
  return std::nullopt;
}

}  // namespace

void TokenRestrictions::AllowAll(std::string action) { all.push_back(std::move(action)); }

void TokenRestrictions::AllowDatabase(const std::string& db, std::string action) {
  Entry(database, db).push_back(std::move(action));
}

void TokenRestrictions::AllowResource(const std::string& db, const std::string& res,
                                      std::string action) {
  Entry(Entry(resource, db), res).push_back(std::move(action));
}

JsonValue TokenRestrictions::Abbreviated() const {
  JsonValue r = JsonValue::MakeObject();
  if (!all.empty()) r.Set("a", AbbreviatedList(all));
  if (!database.empty()) {
    JsonValue d = JsonValue::MakeObject();
    for (const auto& [db, actions] : database) d.Set(db, AbbreviatedList(actions));
    r.Set("d", std::move(d));
  }
  if (!resource.empty()) {
    JsonValue by_db = JsonValue::MakeObject();
    for (const auto& [db, resources] : resource) {
      JsonValue by_resource = JsonValue::MakeObject();
      for (const auto& [name, actions] : resources) by_resource.Set(name, AbbreviatedList(actions));
      by_db.Set(db, std::move(by_resource));
    }
    r.Set("r", std::move(by_db));
  }
  return r;
}

std::string CreateToken(std::string_view secret, const TokenSpec& spec) {
  JsonValue payload = JsonValue::MakeObject(
      {{"a", JsonValue::String(spec.actor_id)}, {"t", JsonValue::Int(spec.created)}});
  if (spec.expires_after && *spec.expires_after != 0) {
    payload.Set("d", JsonValue::Int(*spec.expires_after));
  }
  if (!spec.restrictions.empty()) payload.Set("_r", spec.restrictions.Abbreviated());
  return std::string(kTokenPrefix) + Signer(secret, "token").Dumps(payload);
}

Result<std::optional<Actor>> VerifyToken(std::string_view token, std::string_view secret,
                                         const TokenSettings& settings, int64_t now) {
  if (!token.starts_with(kTokenPrefix)) return std::optional<Actor>();
  if (!settings.allow_signed_tokens) {
    return Unauthenticated("Signed tokens are not enabled for this Datasette instance");
  }
  token.remove_prefix(kTokenPrefix.size());
  ALM_ASSIGN_OR_RETURN(JsonValue decoded, Signer(secret, "token").Loads(token));
  if (!decoded.is_object() || !decoded.Find("t")) {
    return Unauthenticated("Invalid token: no timestamp");
  }
  std::optional<int64_t> created = PythonInt(decoded.Find("t"));
  if (!created) return Unauthenticated("Invalid token: invalid timestamp");
  std::optional<int64_t> duration;
  if (const JsonValue* d = decoded.Find("d"); d && !d->is_null()) {
    duration = PythonInt(d);
    if (!duration) return Unauthenticated("Invalid token: invalid duration");
  }
  int64_t cap = settings.max_signed_tokens_ttl;
  if ((!duration && cap) || (duration && cap && *duration > cap)) duration = cap;
  if (duration && *duration) {
    if (now - *created > *duration) return Unauthenticated("Token has expired");
  }
  const JsonValue* id = decoded.Find("a");
  if (!id) return Unauthenticated("Invalid token: no actor");
  Actor actor{JsonValue::MakeObject({{"id", *id}, {"token", JsonValue::String("dstok")}})};
  if (const JsonValue* r = decoded.Find("_r")) actor.data.Set("_r", *r);
  if (duration && *duration) actor.data.Set("token_expires", JsonValue::Int(*created + *duration));
  return std::optional<Actor>(std::move(actor));
}

}  // namespace almanac::auth
