// FrontDoor: the hosting mode's http::Handler. Answers its own account pages under /-/
// (cloud/account_pages.h); finds the space a request is for (the first path segment, or the
// host's first label under --domain), refuses unknown spaces (404, starting nothing), finds
// who is asking (the space's admin token, a member's API token or session cookie; without
// any, reads of a space whose policy makes tables public go on as an anonymous visitor, the
// rest is a 401), checks a session's unsafe requests for CSRF, refuses bodies larger than the
// space's quota (413), strips identity headers and its own cookies, and proxies the request
// to the space's worker (Supervisor + UpstreamPool), streaming bodies both ways. With the
// hand-off on, it adds the actor (root for the admin token; {"id", "role", ...} for a member)
// in a header signed with that worker's secret (auth/handoff.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "auth/handoff.h"
#include "cloud/account_pages.h"
#include "cloud/spaces.h"
#include "cloud/supervisor.h"
#include "http/handler.h"
#include "http/upstream.h"

namespace almanac::cloud {

struct FrontDoorOptions {
  std::string domain;             // empty: spaces at /{space}/; else at {space}.{domain}
  int64_t space_quota_bytes = 0;  // what a space's files may use together (0: no quota)
};

class FrontDoor : public http::Handler {
 public:
  FrontDoor(const Spaces& spaces, Supervisor& supervisor, http::UpstreamPool& upstream,
            AccountPages& accounts, FrontDoorOptions options)
      : spaces_(spaces),
        supervisor_(supervisor),
        upstream_(upstream),
        accounts_(accounts),
        options_(std::move(options)) {}

  http::BodyMode BodyModeFor(const http::Request& head) const override;
  http::Response Handle(http::Request& request) override;
  http::Response Error(int status, std::string message) const override;

  // The space a request is for ("" when none), from its path or Host header.
  std::string SpaceOf(const http::Request& request) const;
  // The "make public / private" form of a table page of `space` (SPACE/DB/TABLE/-/public),
  // which the front door answers itself; nullopt for any other path.
  std::optional<PublicToggle> PublicToggleOf(const http::Request& request,
                                             const std::string& space) const;
  // The device login's steps under a space (SPACE/-/oauth/device, .../verify, .../token),
  // which the front door answers itself; nullopt for any other path.
  std::optional<DeviceStep> DeviceStepOf(const http::Request& request,
                                         const std::string& space) const;
  // The request's path within `space` ("/db/table" of "/space/db/table", or the whole path
  // with --domain); nullopt when it is not under the space.
  std::optional<std::string_view> PathInSpace(const http::Request& request,
                                              const std::string& space) const;

 private:
  // A request without a token may go on (as no actor) when it only reads and the space's
  // policy makes tables public; the worker decides what it may see.
  bool AnonymousMayAsk(const std::string& space, const http::Request& request) const;
  // Why a request's body is refused without reading it: larger than the space's whole quota
  // (the upload cap). What is left of the quota only SQLite knows (free pages, WAL): the
  // worker's max_page_count refuses the write that would pass it.
  std::optional<std::string> CheckUploadSize(const http::Request& request) const;

  const Spaces& spaces_;
  Supervisor& supervisor_;
  http::UpstreamPool& upstream_;
  AccountPages& accounts_;
  FrontDoorOptions options_;
  auth::IdentitySigner signer_;  // the same header for the same actor within a second
};

}  // namespace almanac::cloud
