#include "api/blob.h"

#include <openssl/evp.h>

#include "core/hex.h"

namespace almanac::api {
namespace {

std::string HexDigest(std::string_view bytes, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, md, nullptr);
  return HexEncode(digest, length);
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsClassChar(char c) {
  return IsAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The bytes a cell downloads as: blob and text as they are, numbers as Python's str().
std::optional<std::string> CellBytes(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      return std::nullopt;
    case Value::Type::kBlob:
      return v.blob();
    default:
      return v.ToDisplayString();
  }
}

}  // namespace

std::string ToCssClass(std::string_view s) {
  // ^[a-zA-Z]+[_a-zA-Z0-9-]*$
  bool valid = !s.empty() && IsAsciiLetter(s[0]);
  for (char c : s) valid = valid && IsClassChar(c);
  if (valid) return std::string(s);
  std::string suffix = HexDigest(s, EVP_md5()).substr(0, 6);
  size_t start = 0;
  while (start < s.size() && s[start] == '_') ++start;
  while (start < s.size() && s[start] == '-') ++start;
  // Whitespace runs become one hyphen (and leading/trailing whitespace goes), then anything
  // outside [a-zA-Z0-9_-] is dropped.
  std::string joined;
  bool pending_space = false;
  for (char c : s.substr(start)) {
    if (IsSpace(c)) {
      pending_space = !joined.empty();
      continue;
    }
    if (pending_space) joined += '-';
    pending_space = false;
    joined += c;
  }
  std::string cleaned;
  for (char c : joined) {
    if (IsClassChar(c)) cleaned += c;
  }
  return cleaned.empty() ? suffix : cleaned + "-" + suffix;
}

Result<BlobBody> RenderBlob(const Request& request, const db::Rows& rows, std::string_view table,
                            std::string_view pks) {
  const std::string* column = request.Arg("_blob_column");
  if (!column) return InvalidArgument("?_blob_column= is required");
  int index = rows.ColumnIndex(*column);
  if (index < 0) return InvalidArgument(*column + " is not a valid column");
  const size_t c = static_cast<size_t>(index);
  const std::string* hash = request.Arg("_blob_hash");
  std::optional<size_t> chosen;
  if (hash) {
    for (size_t r = 0; r < rows.size() && !chosen; ++r) {
      std::optional<std::string> bytes = CellBytes(rows.at(r, c));
      if (bytes && HexDigest(*bytes, EVP_sha256()) == *hash) chosen = r;
    }
    if (!chosen) {
      return InvalidArgument(
          "Link has expired - the requested binary content has changed or could not be found.");
    }
  } else {
    if (rows.empty()) return NotFound("No data");
    chosen = 0;
  }
  BlobBody body;
  body.bytes = CellBytes(rows.at(*chosen, c)).value_or("");
  std::vector<std::string> bits;
  if (!table.empty()) bits.push_back(ToCssClass(table));
  if (!pks.empty()) bits.emplace_back(pks);
  bits.push_back(ToCssClass(*column));
  if (hash) bits.push_back(hash->substr(0, 6));
  for (size_t i = 0; i < bits.size(); ++i) {
    if (i) body.filename += '-';
    body.filename += bits[i];
  }
  body.filename += ".blob";
  return body;
}

}  // namespace almanac::api
