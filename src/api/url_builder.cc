#include "api/url_builder.h"

#include "core/url.h"

namespace almanac::api {
namespace {

std::string WithFormat(std::string path, std::string_view format) {
  if (!format.empty()) {
    path += '.';
    path += format;
  }
  return path;
}

}  // namespace

std::string Urls::Path(std::string_view path) const {
  if (path.starts_with('/')) path.remove_prefix(1);
  std::string out(base_);
  out += path;
  return out;
}

std::string Urls::Database(std::string_view database, std::string_view format) const {
  return WithFormat(Path(TildeEncode(database)), format);
}

std::string Urls::Table(std::string_view database, std::string_view table,
                        std::string_view format) const {
  return WithFormat(Database(database) + "/" + TildeEncode(table), format);
}

std::string Urls::Row(std::string_view database, std::string_view table, std::string_view row_path,
                      std::string_view format) const {
  return WithFormat(Table(database, table) + "/" + std::string(row_path), format);
}

std::string Urls::DatabaseQuery(std::string_view database, std::string_view sql,
                                std::string_view format) const {
  return WithFormat(Database(database) + "/-/query", format) + "?sql=" + QuotePlus(sql);
}

std::string Urls::DatabaseAction(std::string_view database, std::string_view action) const {
  return Database(database) + "/-/" + std::string(action);
}

std::string Urls::TableAction(std::string_view database, std::string_view table,
                              std::string_view action) const {
  return Table(database, table) + "/-/" + std::string(action);
}

std::string Urls::RowAction(std::string_view database, std::string_view table,
                            std::string_view row_path, std::string_view action) const {
  return Row(database, table, row_path) + "/-/" + std::string(action);
}

std::string_view Urls::StripBase(std::string_view path) const {
  if (base_ == "/" || !path.starts_with(base_)) return path;
  // "/prefix/db" -> "/db": keep the slash that ends the prefix.
  return path.substr(base_.size() - 1);
}

}  // namespace almanac::api
