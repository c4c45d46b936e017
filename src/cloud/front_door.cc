#include "cloud/front_door.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <spdlog/spdlog.h>

#include "auth/handoff.h"
#include "cloud/space_policy.h"
#include "core/url.h"
#include "format/error_json.h"
#include "format/json_value.h"

namespace almanac::cloud {
namespace {

// Headers a client may not send on to a worker: identity is the front door's to give.
bool IsIdentityHeader(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name.starts_with("x-almanac-");
}

bool ParseContentLength(std::string_view text, int64_t& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && out >= 0;
}

std::string Megabytes(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

int64_t Micros(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

}  // namespace

http::BodyMode FrontDoor::BodyModeFor(const http::Request& head) const {
  // The account pages, a table page's public toggle and the device login read small forms
  // whole; every other body passes through as it arrives.
  std::string space = SpaceOf(head);
  if (space.empty() ? AccountPages::Owns(head)
                    : PublicToggleOf(head, space) || DeviceStepOf(head, space)) {
    return http::BodyMode::kBuffer;
  }
  return http::BodyMode::kStream;
}

std::optional<std::string_view> FrontDoor::PathInSpace(const http::Request& request,
                                                       const std::string& space) const {
  std::string_view inside(request.path);
  if (options_.domain.empty()) {
    // "/{space}/...": compared in place (this runs several times a request).
    if (inside.size() < space.size() + 2 || inside[0] != '/' ||
        inside.substr(1, space.size()) != space || inside[space.size() + 1] != '/') {
      return std::nullopt;
    }
    inside.remove_prefix(space.size() + 1);
  }
  if (!inside.starts_with('/')) return std::nullopt;
  return inside;
}

std::optional<PublicToggle> FrontDoor::PublicToggleOf(const http::Request& request,
                                                      const std::string& space) const {
  constexpr std::string_view kSuffix = "/-/public";
  std::optional<std::string_view> inside = PathInSpace(request, space);
  if (!inside || !inside->ends_with(kSuffix)) return std::nullopt;
  std::string_view names = inside->substr(1, inside->size() - 1 - kSuffix.size());  // DB/TABLE
  size_t slash = names.find('/');
  if (slash == std::string_view::npos || names.find('/', slash + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  // Names are tilde-encoded in the worker's links (api/url_builder.h).
  PublicToggle toggle{TildeDecode(PercentDecode(names.substr(0, slash), false)),
                      TildeDecode(PercentDecode(names.substr(slash + 1), false)),
                      request.path.substr(0, request.path.size() - kSuffix.size())};
  if (toggle.database.empty() || toggle.table.empty()) return std::nullopt;
  return toggle;
}

std::optional<DeviceStep> FrontDoor::DeviceStepOf(const http::Request& request,
                                                  const std::string& space) const {
  std::optional<std::string_view> inside = PathInSpace(request, space);
  if (!inside) return std::nullopt;
  if (*inside == "/-/oauth/device") return DeviceStep::kStart;
  if (*inside == "/-/oauth/device/verify") return DeviceStep::kVerify;
  if (*inside == "/-/oauth/token") return DeviceStep::kToken;
  return std::nullopt;
}

http::Response FrontDoor::Error(int status, std::string message) const {
  return http::Response::Json(status, format::ErrorJson({std::move(message)}, status));
}

bool FrontDoor::AnonymousMayAsk(const std::string& space, const http::Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") return false;
  Result<SpacePolicy> policy = ReadSpacePolicy(spaces_.dir().PolicyDir(space));
  return policy.ok() && policy->HasPublic();
}

std::optional<std::string> FrontDoor::CheckUploadSize(const http::Request& request) const {
  if (options_.space_quota_bytes <= 0) return std::nullopt;
  // A file up to the quota comes with its form's framing (multipart boundaries and headers):
  // the worker's upload page allows the same, and its quota decides on the rows themselves.
  constexpr int64_t kFramingAllowance = 64 * 1024;
  const std::string* length_header = request.Header("content-length");
  int64_t length = 0;
  if (!length_header || !ParseContentLength(*length_header, length) ||
      length <= options_.space_quota_bytes + kFramingAllowance) {
    return std::nullopt;
  }
  return "Too large for this space: the request's body has " + Megabytes(length) +
         ", more than the " + Megabytes(options_.space_quota_bytes) +
         " its databases may use together";
}

std::string FrontDoor::SpaceOf(const http::Request& request) const {
  if (!options_.domain.empty()) {
    const std::string* host = request.Header("host");
    if (!host) return "";
    std::string_view name(*host);
    if (size_t colon = name.rfind(':'); colon != std::string_view::npos)
      name = name.substr(0, colon);
    std::string suffix = "." + options_.domain;
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) return "";
    return std::string(name.substr(0, name.size() - suffix.size()));
  }
  std::string_view path(request.path);
  if (!path.starts_with('/')) return "";
  path.remove_prefix(1);
  std::string_view first = path.substr(0, path.find('/'));
  if (first == "-") return "";  // the front door's own pages (no space can be named "-")
  return std::string(first);
}

http::Response FrontDoor::Handle(http::Request& request) {
  std::string space = SpaceOf(request);
  if (space.empty()) {
    if (AccountPages::Owns(request)) return accounts_.Handle(request);
    if (request.path == "/" || request.path.empty()) {
      return http::Response::Json(200, "{\"ok\": true, \"almanac\": \"cloud\", \"pool_ready\": " +
                                           std::to_string(supervisor_.PoolReady()) + "}");
    }
    return Error(404, "Not found");
  }
  // A name that cannot be a space's is not found; a valid one that is no space's answers as a
  // space the caller may not see (the same 401 or 403, below), so guessing names tells nothing.
  if (!ValidateSpaceName(space).ok()) return Error(404, "Space not found");
  std::string_view bearer = AccountPages::BearerToken(request);
  bool admin_token = !bearer.empty() && spaces_.CheckToken(space, bearer);
  if (options_.domain.empty() && request.path == "/" + space) {
    std::string location = request.path + "/";
    if (!request.query_string.empty()) location += "?" + request.query_string;
    return http::Response::Redirect(location);
  }
  // `dclient login` / `almanac client login`: the front door mints the member's stored token
  // (for a name that is no space's, it answers alike and approves nothing: account_device.cc).
  std::optional<DeviceStep> step = DeviceStepOf(request, space);
  if (step) {
    std::string in_space = options_.domain.empty() ? "/" + space : "";
    return accounts_.DeviceLogin(space, *step, request, in_space + "/-/oauth/device/verify");
  }
  // The space's admin, a member (by API token or session), or (reading only) an anonymous
  // visitor of a space with public tables: its worker then shows them those tables only.
  Caller caller = accounts_.Identify(space, request, admin_token);
  // The admin token proves the space exists (one look at its key file); else it is looked up.
  bool exists = admin_token || spaces_.Exists(space);
  if (!exists && caller.kind != Caller::kRefused) caller = Caller{};
  if (caller.kind == Caller::kRefused) {
    if (caller.status == 403 && exists && AnonymousMayAsk(space, request)) {
      caller = Caller{};  // signed in elsewhere: sees what everyone sees
    } else {
      http::Response refused = Error(caller.status, caller.message);
      if (caller.status == 401) {
        refused.AddHeader("WWW-Authenticate", "Bearer realm=\"" + space + "\"");
      }
      return refused;
    }
  }
  if (caller.kind == Caller::kNobody && (!exists || !AnonymousMayAsk(space, request))) {
    http::Response refused =
        Error(401, "This space needs its token (Authorization: Bearer ...) or a signed-in member");
    refused.AddHeader("WWW-Authenticate", "Bearer realm=\"" + space + "\"");
    return refused;
  }
  if (caller.by_session) {
    // A browser's session cookie is an ambient credential: unsafe requests must come from
    // this site (auth/csrf.h: Sec-Fetch-Site, or Origin against Host).
    if (std::optional<std::string> refused = AccountPages::CrossSiteRejection(request)) {
      return Error(403, *refused);
    }
  }
  if (std::optional<PublicToggle> toggle = PublicToggleOf(request, space)) {
    return accounts_.SetPublicFromTablePage(space, caller, request, *toggle);
  }
  bool writer = caller.kind == Caller::kAdminToken || caller.kind == Caller::kMember;
  if (writer) {
    if (std::optional<std::string> too_large = CheckUploadSize(request)) {
      return Error(413, std::move(*too_large));
    }
  }
  std::erase_if(request.headers, [](const auto& header) { return IsIdentityHeader(header.first); });
  // The front door's cookies (the session) never reach a worker.
  for (auto it = request.headers.begin(); it != request.headers.end();) {
    if (it->first != "cookie") {
      ++it;
      continue;
    }
    std::optional<std::string> kept = AccountPages::CookiesForWorker(it->second);
    if (kept) {
      it->second = std::move(*kept);
      ++it;
    } else {
      it = request.headers.erase(it);
    }
  }
  auth::MaybeActor actor = std::move(caller.actor);

  http::Response response;
  auto forwarded = std::make_shared<http::Request>(std::move(request));
  // Each of these callbacks runs once: what they carry is moved along, not copied.
  response.deferred = [this, space, forwarded, actor = std::move(actor)](
                          std::function<void(http::Response)> reply) mutable {
    auto asked = std::chrono::steady_clock::now();
    supervisor_.Acquire(
        space, [this, forwarded = std::move(forwarded), reply = std::move(reply),
                actor = std::move(actor), space, asked](Result<WorkerLease> lease) mutable {
          if (!lease.ok()) {
            reply(Error(503, lease.status().message()));
            return;
          }
          const std::string& path = lease->socket_path;
          if (!lease->handoff_secret.empty()) {
            // The caller (root, a member with a role, or no actor), signed for this worker alone.
            forwarded->headers.emplace_back(
                std::string(auth::kIdentityHeader),
                signer_.Sign(lease->handoff_secret, actor, std::time(nullptr)));
          }
          auto leased = std::chrono::steady_clock::now();
          bool woke = lease->woke;
          upstream_.Send(path, std::move(*forwarded), std::move(lease->lease),
                         [this, reply = std::move(reply), woke, space = std::move(space), asked,
                          leased](Result<http::Response> answer) {
                           if (woke) {
                             // A cold start's parts (bench/cloud.py reads this line).
                             auto now = std::chrono::steady_clock::now();
                             spdlog::info(
                                 "space {}: woken, answer head {} us after the request (worker "
                                 "given {} us, then the worker's answer {} us)",
                                 space, Micros(now - asked), Micros(leased - asked),
                                 Micros(now - leased));
                           }
                           if (!answer.ok()) {
                             spdlog::warn("proxy: {}", answer.status().message());
                             reply(Error(502, "The space's server did not answer"));
                             return;
                           }
                           reply(std::move(answer).value());
                         });
        });
  };
  return response;
}

}  // namespace almanac::cloud
