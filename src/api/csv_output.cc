#include "api/csv_output.h"

#include <openssl/evp.h>
#include <sqlite3.h>

#include "core/url.h"

namespace almanac::api {
namespace {

// Cells of the statement's current row.
struct StatementSource {
  const db::Statement& stmt;
  int type(size_t i) const { return stmt.ColumnType(static_cast<int>(i)); }
  int64_t integer(size_t i) const { return stmt.ColumnInt(static_cast<int>(i)); }
  double real(size_t i) const { return stmt.ColumnDouble(static_cast<int>(i)); }
  std::string_view text(size_t i) const { return stmt.ColumnText(static_cast<int>(i)); }
  std::string_view blob(size_t i) const { return stmt.ColumnBlob(static_cast<int>(i)); }
  Value value(size_t i) const { return stmt.Column(static_cast<int>(i)); }
};

// Cells of one row of an in-memory result.
struct RowsSource {
  const db::Rows& rows;
  size_t row;
  const Value& cell(size_t i) const { return rows.at(row, i); }
  int type(size_t i) const {
    switch (cell(i).type()) {
      case Value::Type::kInteger:
        return SQLITE_INTEGER;
      case Value::Type::kReal:
        return SQLITE_FLOAT;
      case Value::Type::kText:
        return SQLITE_TEXT;
      case Value::Type::kBlob:
        return SQLITE_BLOB;
      case Value::Type::kNull:
        break;
    }
    return SQLITE_NULL;
  }
  int64_t integer(size_t i) const { return cell(i).integer(); }
  double real(size_t i) const { return cell(i).real(); }
  std::string_view text(size_t i) const { return cell(i).text(); }
  std::string_view blob(size_t i) const { return cell(i).blob(); }
  Value value(size_t i) const { return cell(i); }
};

void AppendSha256Hex(std::string_view bytes, std::string& out) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
}

void WriteValue(format::CsvWriter& w, const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      w.Null();
      break;
    case Value::Type::kInteger:
      w.Integer(v.integer());
      break;
    case Value::Type::kReal:
      w.Real(v.real());
      break;
    case Value::Type::kText:
      w.Text(v.text());
      break;
    case Value::Type::kBlob:
      w.Text(v.ToDisplayString());
      break;
  }
}

// Every occurrence of `from` in `s` replaced by "" (Python's str.replace(from, "")).
void RemoveAll(std::string& s, std::string_view from) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at)) {
    s.erase(at, from.size());
  }
}

}  // namespace

Result<CsvOptions> ParseCsvOptions(const Instance& instance, const Request& request) {
  CsvOptions options;
  const std::string* header = request.Arg("_header");
  options.header = !(header && *header == "off");
  const std::string* dl = request.Arg("_dl");
  options.download = dl && !dl->empty();
  const std::string* stream = request.Arg("_stream");
  options.stream = stream && !stream->empty();
  if (options.stream) {
    if (!instance.settings.allow_csv_stream) return InvalidArgument("CSV streaming is disabled");
    const std::string* next = request.Arg("_next");
    if (next && !next->empty()) return InvalidArgument("_next not allowed for CSV streaming");
  }
  options.max_bytes = instance.settings.max_csv_mb * 1024 * 1024;
  return options;
}

BlobLinks RowBlobLinks(const Request& request, const Urls& urls, std::string_view database,
                       std::string_view table, std::vector<size_t> pk_indices) {
  BlobLinks links;
  links.row_prefix = request.AbsoluteUrl(urls.Table(database, table) + "/");
  links.pk_indices = std::move(pk_indices);
  return links;
}

BlobLinks QueryBlobLinks(const Request& request) {
  // Datasette adds _nofacet=1 and _nocount=1 to the request before building the link, then
  // removes "&_nocount=1" and "&_nofacet=1" from it: replayed here step by step.
  std::string query = request.query_string;
  std::vector<std::string> extra;
  for (const char* key : {"_nofacet", "_nocount"}) {
    const std::string* value = request.Arg(key);
    if (!value || value->empty()) extra.push_back(std::string(key) + "=1");
  }
  if (!extra.empty()) {
    std::string joined = extra[0];
    for (size_t i = 1; i < extra.size(); ++i) joined += "&" + extra[i];
    query = query.empty() ? joined : query + "&" + joined;
  }
  std::string path = request.path;
  if (path.ends_with(".csv")) path.resize(path.size() - 4);
  bool dotted = path.find('.') != std::string::npos;
  if (!dotted) path += ".blob";
  BlobLinks links;
  links.query_prefix = request.AbsoluteUrl(path) + "?" + query + "&_blob_column=";
  links.query_suffix = dotted ? "&_format=blob" : "";
  RemoveAll(links.query_prefix, "&_nocount=1");
  RemoveAll(links.query_prefix, "&_nofacet=1");
  return links;
}

CsvEmitter::CsvEmitter(std::vector<std::string> columns, std::vector<size_t> label_columns,
                       BlobLinks links, int64_t max_bytes)
    : columns_(std::move(columns)),
      label_columns_(std::move(label_columns)),
      links_(std::move(links)),
      max_bytes_(max_bytes) {}

bool CsvEmitter::Account(std::string& out, size_t row_start) {
  int64_t length = static_cast<int64_t>(out.size() - row_start);
  if (max_bytes_ > 0 && written_ + length > max_bytes_) {
    out.resize(row_start);
    out += "CSV contains more than " + std::to_string(max_bytes_) + " bytes";
    return false;
  }
  written_ += length;
  return true;
}

bool CsvEmitter::Header(std::string& out) {
  size_t start = out.size();
  format::CsvWriter w(out);
  size_t next_label = 0;
  for (size_t i = 0; i < columns_.size(); ++i) {
    w.Text(columns_[i]);
    if (next_label < label_columns_.size() && label_columns_[next_label] == i) {
      w.Text(columns_[i] + "_label");
      ++next_label;
    }
  }
  w.EndRow();
  return Account(out, start);
}

template <typename Source>
const std::string& CsvEmitter::BlobUrl(const Source& source, size_t column,
                                       std::string_view bytes) {
  url_.clear();
  if (!links_.row_prefix.empty()) {
    url_ += links_.row_prefix;
    for (size_t k = 0; k < links_.pk_indices.size(); ++k) {
      if (k) url_ += ',';
      url_ += TildeEncode(source.value(links_.pk_indices[k]).ToDisplayString());
    }
    url_ += ".blob?_blob_column=";
    url_ += QuotePlus(columns_[column]);
    return url_;
  }
  url_ += links_.query_prefix;
  url_ += QuotePlus(columns_[column]);
  url_ += "&_blob_hash=";
  AppendSha256Hex(bytes, url_);
  url_ += links_.query_suffix;
  return url_;
}

template <typename Source>
bool CsvEmitter::WriteRow(const Source& source, std::string& out,
                          const std::vector<LabelMap>& labels) {
  size_t start = out.size();
  format::CsvWriter w(out);
  size_t next_label = 0;
  for (size_t i = 0; i < columns_.size(); ++i) {
    switch (source.type(i)) {
      case SQLITE_INTEGER:
        w.Integer(source.integer(i));
        break;
      case SQLITE_FLOAT:
        w.Real(source.real(i));
        break;
      case SQLITE_TEXT:
        w.Text(source.text(i));
        break;
      case SQLITE_BLOB:
        w.Text(BlobUrl(source, i, source.blob(i)));
        break;
      default:
        w.Null();
        break;
    }
    if (next_label < label_columns_.size() && label_columns_[next_label] == i) {
      const Value* label = nullptr;
      if (next_label < labels.size() && source.type(i) != SQLITE_NULL) {
        auto found = labels[next_label].find(source.value(i));
        if (found != labels[next_label].end()) label = &found->second;
      }
      ++next_label;
      if (label) {
        WriteValue(w, *label);
      } else {
        w.Null();
      }
    }
  }
  w.EndRow();
  return Account(out, start);
}

bool CsvEmitter::Row(const db::Statement& stmt, std::string& out) {
  return WriteRow(StatementSource{stmt}, out, {});
}

bool CsvEmitter::Row(const db::Rows& rows, size_t row, std::string& out,
                     const std::vector<LabelMap>& labels) {
  return WriteRow(RowsSource{rows, row}, out, labels);
}

}  // namespace almanac::api
