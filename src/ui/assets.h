// Assets: the templates and static files the UI serves. Templates come from the binary,
// overridden file by file by `--template-dir` (a file with the same name wins; extra files
// there become new partials). Static files are served at /-/static/<name> with a content hash
// in their URL so browsers may cache them for long; `--static MOUNT:DIR` mounts are read from
// disk on each request, confined to DIR.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace almanac::ui {

struct StaticMount {
  std::string mount;      // "assets" serves /assets/...
  std::string directory;  // absolute or relative directory on disk
};

// "assets:/srv/assets" -> {assets, /srv/assets}; InvalidArgument when malformed.
Result<StaticMount> ParseStaticMount(std::string_view spec);

struct StaticFile {
  std::string content;
  std::string content_type;
  std::string etag;  // quoted, e.g. "\"3f2a...\""
};

// The media type Almanac serves a file name with ("text/css; charset=utf-8" for .css).
std::string ContentTypeFor(std::string_view name);

class Assets {
 public:
  // Loads the embedded files and, when `template_dir` is set, every *.mustache file in it.
  // InvalidArgument when the directory cannot be read.
  static Result<Assets> Load(const std::string& template_dir, std::vector<StaticMount> mounts);
  Assets() : Assets(std::vector<StaticMount>{}) {}

  // Template text by name without extension ("table"); nullptr when unknown.
  const std::string* Template(std::string_view name) const;
  const std::map<std::string, std::string, std::less<>>& templates() const { return templates_; }

  // An embedded static file by name ("app.css"); nullptr when unknown.
  const StaticFile* Static(std::string_view name) const;
  // The path of an embedded static file below the base URL, with its content hash:
  // "-/static/app.css?v=1a2b3c4d" (api::Urls::Path makes it a link).
  std::string StaticUrl(std::string_view name) const;

  const std::vector<StaticMount>& mounts() const { return mounts_; }
  // Whether the request path "/<mount>/<rest>" lies under a --static mount.
  bool IsMounted(std::string_view path) const;
  // A file below a --static mount, for the request path "/<mount>/<rest>". nullopt when the
  // path is not under any mount; NotFound when the file is missing or escapes its directory.
  std::optional<Result<StaticFile>> ReadMounted(std::string_view path) const;

 private:
  explicit Assets(std::vector<StaticMount> mounts);

  std::map<std::string, std::string, std::less<>> templates_;
  std::map<std::string, StaticFile, std::less<>> static_;
  std::vector<StaticMount> mounts_;
};

}  // namespace almanac::ui
