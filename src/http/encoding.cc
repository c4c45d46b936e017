#include "http/encoding.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include <zlib.h>

#include "core/idle_pool.h"
#include "core/text.h"

namespace almanac::http {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // a gzip header and trailer around the deflate data
constexpr int kMemLevel = 8;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

// The q value of one Accept-Encoding item's parameters ("q=0.5"); 1 when
// absent.
double Quality(std::string_view params) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view param = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      std::string value(Trim(param.substr(2)));
      char* end = nullptr;
      double q = std::strtod(value.c_str(), &end);
      return end == value.c_str() ? 1.0 : q;
    }
  }
  return 1.0;
}

// Runs deflate over `input` into `out` (appended), with `flush`, until it has
// taken all of the input and written all it can.
bool Deflate(z_stream& z, std::string_view input, int flush, std::string& out) {
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  z.avail_in = static_cast<uInt>(input.size());
  for (;;) {
    size_t old = out.size();
    size_t room = std::max<size_t>(deflateBound(&z, z.avail_in) + 64, 4096);
    out.resize(old + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    z.avail_out = static_cast<uInt>(room);
    int rc = deflate(&z, flush);
    out.resize(old + room - z.avail_out);
    if (rc == Z_STREAM_ERROR) return false;
    if (flush == Z_FINISH ? rc == Z_STREAM_END : (z.avail_in == 0 && z.avail_out != 0)) {
      return true;
    }
  }
}

// Deflate state for whole bodies, reset between responses (~270 KB each: kept for the next
// response, dropped when the server goes idle).
struct Deflater {
  z_stream z{};
  int level = 0;  // 0: not initialised
  Deflater() = default;
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  ~Deflater() {
    if (level) deflateEnd(&z);
  }
  z_stream* Ready(int wanted) {
    if (level != wanted) {
      if (level) deflateEnd(&z);
      z = z_stream{};
      level = 0;
      if (deflateInit2(&z, wanted, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) !=
          Z_OK) {
        return nullptr;
      }
      level = wanted;
    } else {
      deflateReset(&z);
    }
    return &z;
  }
};

IdlePool<Deflater>& Deflaters() {
  static IdlePool<Deflater> pool;
  return pool;
}

class GzipBodyStream : public BodyStream, public std::enable_shared_from_this<GzipBodyStream> {
 public:
  GzipBodyStream(std::shared_ptr<BodyStream> source, int level) : source_(std::move(source)) {
    ok_ = deflateInit2(&z_, level, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) ==
          Z_OK;
  }
  ~GzipBodyStream() override {
    if (ok_) deflateEnd(&z_);
  }

  void Pull(Deliver deliver) override {
    auto self = shared_from_this();
    source_->Pull([self, deliver = std::move(deliver)](std::string bytes, bool more) {
      std::string out;
      // Each chunk is flushed, so that what the source produced reaches the
      // client now.
      if (!self->ok_ || !Deflate(self->z_, bytes, more ? Z_SYNC_FLUSH : Z_FINISH, out)) {
        deliver(std::string(),
                false);  // the client sees a truncated gzip stream
        return;
      }
      deliver(std::move(out), more);
    });
  }

 private:
  std::shared_ptr<BodyStream> source_;
  z_stream z_{};
  bool ok_ = false;
};

std::string* FindHeader(Response& response, std::string_view name) {
  for (auto& [key, value] : response.headers) {
    if (EqualsIgnoringCase(key, name)) return &value;
  }
  return nullptr;
}

void AddVary(Response& response) {
  if (std::string* vary = FindHeader(response, "vary")) {
    if (AsciiLower(*vary).find("accept-encoding") == std::string::npos) {
      *vary += ", Accept-Encoding";
    }
    return;
  }
  response.AddHeader("Vary", "Accept-Encoding");
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  bool star = false;
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view coding = Trim(item.substr(0, semi));
    double q = semi == std::string_view::npos ? 1.0 : Quality(item.substr(semi + 1));
    if (EqualsIgnoringCase(coding, "gzip") || EqualsIgnoringCase(coding, "x-gzip")) return q > 0;
    if (coding == "*") star = q > 0;
  }
  return star;
}

bool IsCompressible(std::string_view content_type) {
  std::string type = AsciiLower(content_type.substr(0, content_type.find(';')));
  return type.starts_with("text/") || type.ends_with("json") || type.ends_with("+json") ||
         type == "application/javascript" || type.ends_with("xml") || type == "image/svg+xml";
}

std::string Gzip(std::string_view body, int level) {
  IdlePool<Deflater>::Loan deflater = Deflaters().Borrow();
  std::string out;
  z_stream* z = deflater->Ready(level);
  if (!z) return out;
  out.reserve(deflateBound(z, static_cast<uLong>(body.size())) + 32);
  Deflate(*z, body, Z_FINISH, out);
  return out;
}

std::shared_ptr<BodyStream> GzipStream(std::shared_ptr<BodyStream> source, int level) {
  return std::make_shared<GzipBodyStream>(std::move(source), level);
}

void MaybeGzip(bool accepts_gzip, Response& response, size_t min_bytes, int level) {
  if (response.status == 204 || response.status == 304 || response.status < 200) return;
  if (!IsCompressible(response.content_type) || FindHeader(response, "content-encoding")) return;
  AddVary(response);
  if (!accepts_gzip) return;
  if (response.stream) {
    response.stream = GzipStream(std::move(response.stream), level);
  } else {
    if (response.body.size() < min_bytes) return;
    response.body = Gzip(response.body, level);
  }
  response.AddHeader("Content-Encoding", "gzip");
  if (std::string* etag = FindHeader(response, "etag");
      etag && etag->size() >= 2 && etag->back() == '"') {
    etag->insert(etag->size() - 1, "-gzip");
  }
}

std::string StripGzipSuffix(std::string_view etag) {
  if (etag.size() >= 7 && etag.ends_with("-gzip\"")) {
    return std::string(etag.substr(0, etag.size() - 6)) + '"';
  }
  return std::string(etag);
}

void ForgetIdleDeflaters() { Deflaters().DropIdle(); }

}  // namespace almanac::http
