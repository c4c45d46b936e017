// Internal to row_source.cc and stream_source.cc: text to rows through the ingest readers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/row_source.h"
#include "core/result.h"
#include "format/json_value.h"
#include "ingest/tabular.h"

namespace almanac::client {

// Header + records parsed by ingest::ParseTabular. Columns with force_text[c] keep their
// strings: a sentinel record holding "x" in them (removed again) keeps detection off them.
Result<ingest::Tabular> ParseDelimitedRecords(std::string_view header, std::string_view records,
                                              ingest::TabularFormat f,
                                              const std::vector<bool>& force_text);

// One JSON object per line (blank lines skipped); errors name the line, counted from
// `first_line`.
Status ParseJsonLines(std::string_view text, size_t first_line,
                      std::vector<format::JsonValue>& out);

// A JSON array of objects, or one object.
Status ParseJsonDocument(std::string_view text, std::vector<format::JsonValue>& out);

// What a CSV/TSV column holds, from narrowest to widest: only empty cells, integers,
// numbers, anything. Columns of a file are judged chunk by chunk and the widest rank wins.
enum class TypeRank { kEmpty, kInteger, kFloat, kText };
TypeRank RankOf(const ingest::Tabular& t, size_t column);

// Cells of integer and float columns made to fit the whole input's rank: empty strings become
// null, integers in a float column become floats (so a created column is REAL).
void ConformCells(std::vector<std::vector<format::JsonValue>>& rows,
                  const std::vector<TypeRank>& ranks);

// The stream reader behind OpenRowSource for pipes (stream_source.cc).
std::unique_ptr<RowSource> MakeStreamSource(int fd, ingest::TabularFormat f, bool detect_types,
                                            std::optional<std::string> encoding);

// The reader behind OpenRowSource for whole files (file_source.cc).
Result<std::unique_ptr<RowSource>> MakeFileSource(std::string text, ingest::TabularFormat f,
                                                  bool detect_types);

}  // namespace almanac::client
