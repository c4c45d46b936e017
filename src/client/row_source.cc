#include "client/row_source.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include <errno.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/row_parsing.h"
#include "client/text_decoder.h"
#include "ingest/tabular.h"

namespace almanac::client {
namespace {

using format::JsonValue;
using ingest::TabularFormat;

std::optional<TabularFormat> FormatFlag(const std::optional<std::string>& name) {
  if (!name) return std::nullopt;
  if (*name == "nl") return TabularFormat::kNdjson;
  return ingest::FormatByName(*name);
}

}  // namespace

Result<std::string> DecodeText(std::string text, const std::optional<std::string>& encoding) {
  TextDecoder decoder(encoding);
  std::string out;
  ALM_RETURN_IF_ERROR(decoder.Append(text, out));
  ALM_RETURN_IF_ERROR(decoder.Finish());
  return out;
}

Result<std::unique_ptr<RowSource>> OpenRowSource(const SourceOptions& options) {
  std::optional<TabularFormat> format = FormatFlag(options.format);
  bool from_stdin = options.path == "-";
  if (!format && from_stdin) {
    return InvalidArgument(
        "An explicit format is required  - e.g. --csv - when reading from standard input");
  }
  struct stat st {};
  bool whole = !from_stdin || (::fstat(0, &st) == 0 && S_ISREG(st.st_mode));
  if (from_stdin && !whole) {
    if (*format == TabularFormat::kJson) whole = true;  // one document: read it all first
  }
  if (!whole) return MakeStreamSource(0, *format, options.detect_types, options.encoding);
  std::string raw;
  if (from_stdin) {
    char buffer[1 << 16];
    for (ssize_t n; (n = ::read(0, buffer, sizeof(buffer))) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        return InvalidArgument(std::string("Could not read standard input: ") +
                               std::strerror(errno));
      raw.append(buffer, static_cast<size_t>(n));
    }
  } else {
    std::ifstream in(options.path, std::ios::binary);
    if (!in) return InvalidArgument("Could not open " + options.path + ": " + std::strerror(errno));
    std::stringstream ss;
    ss << in.rdbuf();
    raw = std::move(ss).str();
  }
  ALM_ASSIGN_OR_RETURN(std::string text, DecodeText(std::move(raw), options.encoding));
  TabularFormat f = format.value_or(ingest::DetectFormat(text));
  return MakeFileSource(std::move(text), f, options.detect_types);
}

}  // namespace almanac::client
