// Content-Encoding: gzip for responses (zlib). Whole bodies are compressed with
// a deflate state that is reused (deflateReset instead of a fresh 256 KB state
// per response) until the server goes idle; streamed bodies get a state of their own and are
// compressed chunk by chunk, each chunk flushed so the client can use it at once. The Server
// applies it (ServerOptions::gzip) to text responses of at least a floor size when the request's
// Accept-Encoding allows gzip.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "http/message.h"

namespace almanac::http {

// True when an Accept-Encoding value accepts gzip ("gzip", "x-gzip" or "*",
// with q > 0).
bool AcceptsGzip(std::string_view accept_encoding);

// True for the media types worth compressing: text/*, JSON, JavaScript, XML,
// SVG.
bool IsCompressible(std::string_view content_type);

// `body` compressed as one gzip member, at `level` (1 = fastest ... 9 =
// smallest).
std::string Gzip(std::string_view body, int level);

// `source` compressed as one gzip member, chunk by chunk.
std::shared_ptr<BodyStream> GzipStream(std::shared_ptr<BodyStream> source, int level);

// Compresses `response` in place when the request accepted gzip
// (`accepts_gzip`, from AcceptsGzip), its type is compressible, it has no
// Content-Encoding yet and its body is at least `min_bytes` (streams: always):
// Content-Encoding: gzip, and a strong ETag gets "-gzip" inside its quotes (the
// same resource in another encoding is another representation). Every
// compressible response gets Vary: Accept-Encoding, compressed or not.
// Responses with status 204/304 are left alone.
void MaybeGzip(bool accepts_gzip, Response& response, size_t min_bytes, int level);

// An ETag as the client may send it back after MaybeGzip: the tag without
// "-gzip".
std::string StripGzipSuffix(std::string_view etag);

// Drops the deflate states kept for whole bodies that no response is using (an idle
// server's memory).
void ForgetIdleDeflaters();

}  // namespace almanac::http
