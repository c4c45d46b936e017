#include "web/conditional.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "api/magic_parameters.h"
#include "core/text.h"
#include "http/encoding.h"
#include "web/handler_util.h"

namespace almanac::web {
namespace {

// 64-bit FNV-1a over bytes, continued from `h`.
uint64_t Fnv(std::string_view bytes, uint64_t h = 14695981039346656037ULL) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string Hex(uint64_t v, int digits) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(v));
  return std::string(buffer + 16 - digits);
}

// A file's content, hashed 8 bytes at a time (a 1 GB file in well under a second).
std::optional<uint64_t> HashFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return std::nullopt;
  std::vector<char> buffer(1 << 20);
  uint64_t h = 0x9E3779B97F4A7C15ULL;
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w = 0;
      std::memcpy(&w, buffer.data() + i, 8);
      h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
      h ^= h >> 29;
    }
    h = Fnv(std::string_view(buffer.data() + i, n - i), h);
  }
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return std::nullopt;
  return h;
}

// The content hash of an immutable file, computed once on a thread of its own: nullopt until
// it is ready (those answers go without an ETag).
std::optional<uint64_t> ImmutableFileHash(const std::string& path) {
  static std::mutex mutex;
  static auto* hashes = new std::map<std::string, std::optional<uint64_t>>();
  std::lock_guard lock(mutex);
  auto found = hashes->find(path);
  if (found != hashes->end()) return found->second;
  (*hashes)[path] = std::nullopt;
  std::thread([path] {
    std::optional<uint64_t> hash = HashFile(path);
    std::lock_guard done(mutex);
    (*hashes)[path] = hash;
  }).detach();
  return std::nullopt;
}

uint64_t ProcessNonce() {
  static const uint64_t nonce = [] {
    std::random_device random;
    return (static_cast<uint64_t>(random()) << 32) ^ random();
  }();
  return nonce;
}

// What every answer of this instance depends on besides its data: version, settings, config
// and metadata. Computed once per instance.
uint64_t InstanceFingerprint(const api::Instance& instance) {
  static std::mutex mutex;
  static auto* known = new std::map<const api::Instance*, uint64_t>();
  std::lock_guard lock(mutex);
  auto found = known->find(&instance);
  if (found != known->end()) return found->second;
  uint64_t h = Fnv(instance.version);
  h = Fnv(instance.settings.ToJson(), h);
  h = Fnv(format::ToJsonText(instance.config.config()), h);
  h = Fnv(format::ToJsonText(instance.config.metadata()), h);
  (*known)[&instance] = h;
  return h;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

bool SqlMayVary(std::string_view sql) {
  std::string lower = AsciiLower(sql);
  for (std::string_view word : {"random", "now", "current_", "changes", "last_insert_rowid", "date",
                                "time", "julianday", "unixepoch", "strftime", ":_", "@_", "$_"}) {
    if (Contains(lower, word)) return true;
  }
  return false;
}

std::optional<std::string> PageEtag(const api::Instance& instance, const api::Request& request,
                                    std::string_view database, std::string_view user_sql) {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  if (api::RequestCookie(request, "ds_messages")) return std::nullopt;  // flash messages
  if (!user_sql.empty() && SqlMayVary(user_sql)) return std::nullopt;
  db::Database* db = instance.registry.Find(database);
  if (!db) return std::nullopt;
  Result<std::optional<uint64_t>> generation = db->ChangeGeneration();
  if (!generation.ok() || !generation->has_value()) return std::nullopt;
  uint64_t epoch = ProcessNonce();
  if (!db->is_mutable()) {
    std::optional<uint64_t> hash = ImmutableFileHash(db->path());
    if (!hash) return std::nullopt;
    epoch = *hash;
  }
  uint64_t h = Fnv(Hex(epoch, 16), InstanceFingerprint(instance));
  if (instance.policy_generation) h = Fnv(Hex(instance.policy_generation(), 16), h);
  std::string tag = "\"" + Hex(h, 16) + "-" + std::to_string(**generation);
  if (request.actor) tag += "-" + Hex(Fnv(format::ToJsonText(request.actor->data)), 8);
  return tag + "\"";
}

std::optional<Response> NotModified(const api::Request& request, const std::string& etag,
                                    int64_t ttl) {
  const std::string* header = request.Header("if-none-match");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    std::string_view sent = item;
    if (item.starts_with("W/")) item.remove_prefix(2);  // weak comparison (RFC 9110 13.1.2)
    if (item != "*" && http::StripGzipSuffix(item) != etag) continue;
    Response response;
    response.status = 304;
    response.content_type.clear();
    response.AddHeader("ETag", item == "*" ? etag : std::string(sent));
    response.AddHeader("Cache-Control", ttl == 0 ? "no-cache" : "max-age=" + std::to_string(ttl));
    return response;
  }
  return std::nullopt;
}

}  // namespace almanac::web
