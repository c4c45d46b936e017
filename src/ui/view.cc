#include "ui/view.h"

#include <memory>
#include <unordered_map>

#include "api/magic_parameters.h"
#include "auth/session.h"
#include "auth/signer.h"
#include "core/idle_pool.h"
#include "core/url.h"
#include "format/json_value.h"
#include "ui/html.h"

namespace almanac::ui {
namespace {

namespace mustache = kainjow::mustache;

// Parsed templates by name, with the text each was parsed from. A parsed template is used by
// one render at a time (kainjow keeps state in it), so each concurrent render borrows a whole
// set; sets nobody holds are dropped when the server goes idle (ForgetIdleTemplates).
struct ParsedTemplate {
  std::string source;
  std::unique_ptr<mustache::mustache> tmpl;
};
using ParsedTemplates = std::unordered_map<std::string, ParsedTemplate>;

IdlePool<ParsedTemplates>& TemplatePool() {
  static IdlePool<ParsedTemplates> pool;
  return pool;
}

// Template `name` of `source` from `parsed`, parsed again when its text changed (other assets, a
// --template-dir) or its last render failed (kainjow keeps the error in the template).
mustache::mustache& Parsed(ParsedTemplates& parsed, std::string_view name,
                           const std::string& source) {
  ParsedTemplate& entry = parsed[std::string(name)];
  if (!entry.tmpl || !entry.tmpl->is_valid() || entry.source != source) {
    entry.source = source;
    entry.tmpl = std::make_unique<mustache::mustache>(source);
    // One escaping everywhere (&#39; for quotes), the same as the HTML this module builds.
    entry.tmpl->set_custom_escape([](const std::string& s) { return Escape(s); });
  }
  return *entry.tmpl;
}

// Renders one template with every "_name" template available as a partial.
std::string RenderTemplate(const Assets& assets, std::string_view name, Data& data) {
  const std::string* text = assets.Template(name);
  if (!text) {
    return "<p class=\"message-error\">Template " + Escape(name) + " is missing.</p>\n";
  }
  for (const auto& [partial_name, partial_text] : assets.templates()) {
    if (!partial_name.starts_with('_')) continue;
    const std::string* source = &partial_text;
    data.set(partial_name, mustache::partial([source] { return *source; }));
  }
  IdlePool<ParsedTemplates>::Loan parsed = TemplatePool().Borrow();
  mustache::mustache& tmpl = Parsed(*parsed, name, *text);
  std::string out;
  if (tmpl.is_valid()) out = tmpl.render(data);
  if (!tmpl.is_valid()) {
    return "<p class=\"message-error\">Template " + Escape(name) +
           " failed: " + Escape(tmpl.error_message()) + "</p>\n";
  }
  return out;
}

// A URL entry of extra_css_urls / extra_js_urls: a string or {"url", "sri", "module"}.
// extra_css_urls / extra_js_urls entries; a path starting with "/" is under base_url, as
// Datasette applies urls.path() to it.
Data UrlEntries(const format::JsonValue* list, const api::Urls& urls) {
  auto url_of = [&urls](const std::string& url) {
    return url.starts_with("/") && !url.starts_with("//") ? urls.Path(url) : url;
  };
  Data out = List();
  if (!list || !list->is_array()) return out;
  for (const format::JsonValue& item : list->as_array()) {
    Data entry;
    if (item.is_string()) {
      entry.set("url", url_of(item.as_string()));
    } else if (item.is_object()) {
      const format::JsonValue* url = item.Find("url");
      if (!url || !url->is_string()) continue;
      entry.set("url", url_of(url->as_string()));
      if (const format::JsonValue* sri = item.Find("sri"); sri && sri->is_string()) {
        entry.set("sri", sri->as_string());
      }
      const format::JsonValue* module = item.Find("module");
      entry.set("module", module && module->is_bool() && module->as_bool());
    } else {
      continue;
    }
    out.push_back(entry);
  }
  return out;
}

// Datasette's display_actor: display, name, username, login or id.
std::string DisplayActor(const auth::Actor& actor) {
  for (const char* key : {"display", "name", "username", "login"}) {
    const format::JsonValue* v = actor.data.Find(key);
    if (v && v->is_string() && !v->as_string().empty()) return v->as_string();
  }
  return actor.id();
}

bool HasActorCookie(const api::Request& request) {
  const std::string* cookie = request.Header("cookie");
  return cookie && cookie->find("ds_actor=") != std::string::npos;
}

// Datasette's flash messages: the signed ds_messages cookie, [[message, type], ...] with
// type 1 info, 2 warning, 3 error. Unsigned or malformed cookies show nothing.
Data Messages(const RenderContext& ctx) {
  Data out = List();
  if (!ctx.instance.authenticator) return out;
  std::optional<std::string> cookie = api::RequestCookie(ctx.request, "ds_messages");
  if (!cookie || cookie->empty()) return out;
  Result<format::JsonValue> messages =
      auth::Signer(ctx.instance.authenticator->secret(), "messages").Loads(*cookie);
  if (!messages.ok() || !messages->is_array()) return out;
  for (const format::JsonValue& m : messages->as_array()) {
    if (!m.is_array() || m.as_array().size() != 2 || !m.as_array()[0].is_string()) continue;
    const format::JsonValue& type = m.as_array()[1];
    Data message;
    message.set("text", m.as_array()[0].as_string());
    int64_t level = type.is_int() ? type.as_int() : 1;
    message.set("class", level == 3 ? "error" : level == 2 ? "warning" : "info");
    out.push_back(message);
  }
  return out;
}

}  // namespace

std::string FormatCount(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Plural(int64_t n, std::string_view singular, std::string_view plural) {
  return FormatCount(n) + " " + std::string(n == 1 ? singular : plural);
}

std::string DatabaseUrl(const RenderContext& ctx, std::string_view database) {
  return ctx.instance.urls().Database(database);
}

std::string TableUrl(const RenderContext& ctx, std::string_view database, std::string_view table) {
  return ctx.instance.urls().Table(database, table);
}

std::string CssString(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == ' ' || c == '_' || c == '-' || c >= 0x80;
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '\\';
      if (c >= 16) out += kHex[c >> 4];
      out += kHex[c & 15];
      out += ' ';
    }
  }
  return out;
}

std::string MobileLabels(const std::vector<std::string>& columns) {
  std::string css = "<style>@media (max-width:576px){";
  for (size_t i = 0; i < columns.size(); ++i) {
    css += ".rows-and-columns td:nth-of-type(" + std::to_string(i + 1) + ")::before{content:\"" +
           CssString(columns[i]) + "\"}";
  }
  return css + "}</style>";
}

std::string CssClass(std::string_view text) {
  std::string out;
  bool changed = false;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
      out += static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
      changed = true;
    } else {
      out += '-';
      changed = true;
    }
  }
  if (changed) {
    uint32_t hash = 2166136261U;
    for (unsigned char c : text) hash = (hash ^ c) * 16777619U;
    static constexpr char kHex[] = "0123456789abcdef";
    out += '-';
    for (int i = 0; i < 6; ++i, hash >>= 4) out += kHex[hash & 15];
  }
  return out;
}

std::vector<Crumb> Crumbs(const RenderContext& ctx, std::string_view database,
                          std::string_view table) {
  // Datasette's _crumb_items: a link only to a page the actor may see.
  std::vector<Crumb> crumbs;
  std::string db(database);
  if (!database.empty() &&
      Allowed(ctx, auth::Action::kViewDatabase, auth::Resource::Database(db))) {
    crumbs.push_back({db, DatabaseUrl(ctx, database)});
  }
  if (!table.empty() &&
      Allowed(ctx, auth::Action::kViewTable, auth::Resource::Table(db, std::string(table)))) {
    crumbs.push_back({std::string(table), TableUrl(ctx, database, table)});
  }
  return crumbs;
}

bool Allowed(const RenderContext& ctx, auth::Action action, const auth::Resource& resource) {
  return ctx.instance.permissions.Allowed(ctx.request.actor, action, resource);
}

std::string RenderPage(const Assets& assets, std::string_view name, Data data, const Frame& frame,
                       const RenderContext& ctx) {
  data.set("base_url", std::string(ctx.instance.urls().base()));  // for template authors too
  std::string content = RenderTemplate(assets, name, data);
  Data base;
  base.set("title", frame.title);
  base.set("body_class", frame.body_class);
  base.set("content", content);
  base.set("extra_head", frame.extra_head);
  if (!ctx.json_url.empty()) base.set("json_url", ctx.json_url);
  api::Urls urls = ctx.instance.urls();
  base.set("base_url", std::string(urls.base()));
  base.set("app_css", urls.Path(assets.StaticUrl("app.css")));
  base.set("app_js", urls.Path(assets.StaticUrl("app.js")));
  base.set("version", ctx.instance.version);
  Data crumbs = List();
  for (size_t i = 0; i < frame.crumbs.size(); ++i) {
    Data crumb;
    crumb.set("label", frame.crumbs[i].label);
    crumb.set("href", frame.crumbs[i].href);
    crumbs.push_back(crumb);
  }
  base.set("crumbs", crumbs);
  base.set("home_link", Allowed(ctx, auth::Action::kViewInstance, auth::Resource::Instance()));
  const format::JsonValue& config = ctx.instance.config.config();
  base.set("extra_css_urls", UrlEntries(config.Find("extra_css_urls"), urls));
  base.set("extra_js_urls", UrlEntries(config.Find("extra_js_urls"), urls));
  if (ctx.request.actor) {
    base.set("actor", DisplayActor(*ctx.request.actor));
    base.set("show_logout", HasActorCookie(ctx.request));
  }
  base.set("messages", Messages(ctx));
  return RenderTemplate(assets, "base", base);
}

void ForgetIdleTemplates() { TemplatePool().DropIdle(); }

}  // namespace almanac::ui
