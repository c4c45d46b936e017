// Urls: every link Almanac builds for a page of its own goes through here, so the base_url
// setting (serving under a path prefix, behind a proxy or as a space of the hosting mode)
// applies everywhere. Datasette's url_builder.py is the model. Names are tilde-encoded here;
// callers pass them decoded. Paths start with base_url ("/" by default).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace almanac::api {

class Urls {
 public:
  // `base_url` must start and end with "/" (the setting enforces it); it is referenced, not
  // copied, so it must outlive the builder.
  explicit Urls(std::string_view base_url = "/") : base_(base_url) {}

  // An instance path such as "/-/versions" or "-/versions" under the base URL.
  std::string Path(std::string_view path) const;
  std::string Instance() const { return Path(""); }
  std::string Static(std::string_view file) const { return Path("-/static/" + std::string(file)); }
  std::string Logout() const { return Path("-/logout"); }
  // /<db>, /<db>/<table>, /<db>/<table>/<row>, each with an optional ".<format>".
  std::string Database(std::string_view database, std::string_view format = {}) const;
  std::string Table(std::string_view database, std::string_view table,
                    std::string_view format = {}) const;
  // `row_path` is EncodeRowPath's segment.
  std::string Row(std::string_view database, std::string_view table, std::string_view row_path,
                  std::string_view format = {}) const;
  // /<db>/-/query[.format]?sql=...
  std::string DatabaseQuery(std::string_view database, std::string_view sql,
                            std::string_view format = {}) const;
  // /<db>/-/<action>, /<db>/<table>/-/<action>, /<db>/<table>/<row>/-/<action>
  std::string DatabaseAction(std::string_view database, std::string_view action) const;
  std::string TableAction(std::string_view database, std::string_view table,
                          std::string_view action) const;
  std::string RowAction(std::string_view database, std::string_view table,
                        std::string_view row_path, std::string_view action) const;

  // The request path with base_url taken off ("/prefix/db/t" -> "/db/t"), as Datasette
  // routes it; a path outside the prefix is returned as it is.
  std::string_view StripBase(std::string_view path) const;
  const std::string_view& base() const { return base_; }

 private:
  std::string_view base_;
};

}  // namespace almanac::api
