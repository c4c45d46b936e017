// The lean relay's reading of an upstream's response head (UpstreamPool's common exchange):
// only what the front door must know to forward a small answer whole — its status, its length,
// whether the connection stays open — plus its header lines as a Response. Whatever is unusual
// is left to the general path (Beast's parser, which also streams): HTTP/1.0, an interim (1xx)
// answer, a chunked or close-delimited body, folded, duplicated or malformed framing lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "http/message.h"

namespace almanac::http {

struct RelayHead {
  enum class Outcome {
    kIncomplete,  // no empty line yet: read more (or leave it to the general path)
    kLean,        // understood: `out` holds the status and headers
    kGeneral,     // valid or not, not for the lean path
  };
  Outcome outcome = Outcome::kIncomplete;
  size_t head_bytes = 0;                   // up to and including the empty line
  std::optional<uint64_t> content_length;  // as sent (nullopt: none)
  bool keep_alive = true;                  // no "Connection: close"
};

// Reads the head at the start of `bytes` into `out` (status, content type, headers with
// lower-case names; hop-by-hop headers, Content-Length and Server left out, as the general
// path does). `out` is only meaningful when the outcome is kLean.
RelayHead ParseRelayHead(std::string_view bytes, Response& out);

// Whether `lower_name` describes one hop rather than the message (RFC 9110 7.6.1), or is a
// framing header the proxy sets itself.
bool IsHopByHop(std::string_view lower_name);

}  // namespace almanac::http
