#include "ui/assets.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ui/embedded.h"

namespace almanac::ui {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTemplatePrefix = "templates/";
constexpr std::string_view kTemplateSuffix = ".mustache";
constexpr std::string_view kStaticPrefix = "static/";

// FNV-1a, 64 bits: a cheap, stable content hash for ETags and cache-busting URLs.
std::string ContentHash(std::string_view data) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[hash & 15];
    hash >>= 4;
  }
  return out;
}

StaticFile MakeStatic(std::string name, std::string content) {
  StaticFile file;
  file.content_type = ContentTypeFor(name);
  file.etag = "\"" + ContentHash(content) + "\"";
  file.content = std::move(content);
  return file;
}

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

Result<StaticMount> ParseStaticMount(std::string_view spec) {
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == spec.size()) {
    return InvalidArgument("--static must be MOUNT:DIRECTORY, got " + std::string(spec));
  }
  StaticMount mount{std::string(spec.substr(0, colon)), std::string(spec.substr(colon + 1))};
  if (mount.mount.find('/') != std::string::npos || mount.mount == "-") {
    return InvalidArgument("--static mount name must be one path segment, got " + mount.mount);
  }
  std::error_code ec;
  if (!fs::is_directory(mount.directory, ec)) {
    return InvalidArgument("--static directory does not exist: " + mount.directory);
  }
  return mount;
}

std::string ContentTypeFor(std::string_view name) {
  std::string ext = fs::path(name).extension().string();
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "application/javascript; charset=utf-8";
  if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt" || ext == ".md") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

Assets::Assets(std::vector<StaticMount> mounts) : mounts_(std::move(mounts)) {
  for (const EmbeddedFile& file : EmbeddedFiles()) {
    if (file.name.starts_with(kTemplatePrefix) && file.name.ends_with(kTemplateSuffix)) {
      std::string_view name = file.name.substr(kTemplatePrefix.size());
      name.remove_suffix(kTemplateSuffix.size());
      templates_.emplace(std::string(name), std::string(file.data));
    } else if (file.name.starts_with(kStaticPrefix)) {
      std::string name(file.name.substr(kStaticPrefix.size()));
      static_.emplace(name, MakeStatic(name, std::string(file.data)));
    }
  }
}

Result<Assets> Assets::Load(const std::string& template_dir, std::vector<StaticMount> mounts) {
  Assets assets(std::move(mounts));
  if (template_dir.empty()) return assets;
  std::error_code ec;
  fs::directory_iterator it(template_dir, ec);
  if (ec) return InvalidArgument("--template-dir cannot be read: " + template_dir);
  for (const fs::directory_entry& entry : it) {
    const fs::path& path = entry.path();
    if (!entry.is_regular_file(ec) || path.extension() != kTemplateSuffix) continue;
    std::optional<std::string> text = ReadFile(path);
    if (!text) return InvalidArgument("cannot read template " + path.string());
    assets.templates_[path.stem().string()] = std::move(*text);
  }
  return assets;
}

const std::string* Assets::Template(std::string_view name) const {
  auto it = templates_.find(name);
  return it == templates_.end() ? nullptr : &it->second;
}

const StaticFile* Assets::Static(std::string_view name) const {
  auto it = static_.find(name);
  return it == static_.end() ? nullptr : &it->second;
}

std::string Assets::StaticUrl(std::string_view name) const {
  std::string url = "-/static/" + std::string(name);
  if (const StaticFile* file = Static(name)) {
    url += "?v=" + file->etag.substr(1, 8);
  }
  return url;
}

bool Assets::IsMounted(std::string_view path) const {
  for (const StaticMount& mount : mounts_) {
    if (path.size() > mount.mount.size() + 1 && path[0] == '/' &&
        path.substr(1).starts_with(mount.mount) && path[mount.mount.size() + 1] == '/') {
      return true;
    }
  }
  return false;
}

std::optional<Result<StaticFile>> Assets::ReadMounted(std::string_view path) const {
  for (const StaticMount& mount : mounts_) {
    std::string prefix = "/" + mount.mount + "/";
    if (!path.starts_with(prefix)) continue;
    std::string_view rest = path.substr(prefix.size());
    std::error_code ec;
    fs::path root = fs::weakly_canonical(mount.directory, ec);
    fs::path target = fs::weakly_canonical(root / fs::path(rest), ec);
    // The resolved file must stay inside the mount (no "..", no symlink escapes).
    auto [root_end, ignored] =
        std::mismatch(root.begin(), root.end(), target.begin(), target.end());
    if (ec || root_end != root.end() || !fs::is_regular_file(target, ec)) {
      return Result<StaticFile>(NotFound("File not found"));
    }
    std::optional<std::string> content = ReadFile(target);
    if (!content) return Result<StaticFile>(NotFound("File not found"));
    return Result<StaticFile>(MakeStatic(target.filename().string(), std::move(*content)));
  }
  return std::nullopt;
}

}  // namespace almanac::ui
