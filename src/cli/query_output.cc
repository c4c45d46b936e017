#include "cli/query_output.h"

#include <cstdio>
#include <map>

#include "core/text.h"

namespace almanac::cli {
namespace {

void Write(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// sqlite3's Python module counts rows_affected only for INSERT, UPDATE, DELETE and REPLACE.
bool IsDml(std::string_view sql) {
  size_t i = sql.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return false;
  std::string word = AsciiLower(sql.substr(i, 7));
  return word.starts_with("insert") || word.starts_with("update") || word.starts_with("delete") ||
         word.starts_with("replace");
}

}  // namespace

void AddOutputFlags(CLI::App* cmd, OutputFlags& f, bool with_raw) {
  cmd->add_flag("--json", f.json, "Output a JSON array of objects (the default)");
  cmd->add_flag("--nl", f.nl, "Output newline-delimited JSON");
  cmd->add_flag("--arrays", f.arrays, "Output rows as arrays instead of objects");
  cmd->add_flag("--csv", f.csv, "Output CSV");
  cmd->add_flag("--tsv", f.tsv, "Output TSV");
  cmd->add_flag("--no-headers", f.no_headers, "Omit headers from CSV/TSV and table output");
  cmd->add_flag("-t,--table", f.table, "Output as a formatted table");
  cmd->add_option("--fmt", f.fmt, "Table format: simple (default), plain or github");
  cmd->add_flag("--json-cols", f.json_cols,
                "Detect JSON cols and output them as JSON, not escaped strings");
  if (with_raw) {
    cmd->add_flag("-r,--raw", f.raw, "Raw output, first column of first row");
    cmd->add_flag("--raw-lines", f.raw_lines, "Raw output, first column of each row");
  }
}

Result<format::RowsOutputOptions> RowsOptionsFor(const OutputFlags& f) {
  format::RowsOutputOptions o;
  using Kind = format::RowsOutputOptions::Kind;
  if (f.table || !f.fmt.empty()) {
    o.kind = Kind::kTable;
    if (!f.fmt.empty()) {
      std::optional<format::TableStyle> style = format::TableStyleByName(f.fmt);
      if (!style) return InvalidArgument("--fmt must be simple, plain or github");
      o.table_style = *style;
    }
  } else if (f.csv || f.tsv) {
    o.kind = f.tsv ? Kind::kTsv : Kind::kCsv;
  }
  o.nl = f.nl;
  o.arrays = f.arrays;
  o.no_headers = f.no_headers;
  o.json_cols = f.json_cols;
  return o;
}

std::vector<std::pair<std::string, std::string>> Pairs(const std::vector<std::string>& flat) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) out.emplace_back(flat[i], flat[i + 1]);
  return out;
}

Status PrintRows(const std::vector<std::string>& columns,
                 const std::vector<std::vector<Value>>& rows, const OutputFlags& flags,
                 const std::vector<bool>& raw_json) {
  ALM_ASSIGN_OR_RETURN(format::RowsOutputOptions options, RowsOptionsFor(flags));
  format::RowsOutput out(options);
  out.Begin(columns, raw_json);
  for (const auto& row : rows) out.Row(row);
  out.End();
  Write(out.Take());
  return Status::Ok();
}

Status RunAndPrint(db::Connection& conn, const std::string& sql,
                   const std::vector<std::pair<std::string, std::string>>& params,
                   const OutputFlags& flags) {
  ALM_ASSIGN_OR_RETURN(format::RowsOutputOptions options, RowsOptionsFor(flags));
  ALM_ASSIGN_OR_RETURN(db::Statement statement, conn.PrepareUser(sql));
  std::map<std::string, std::string> by_name(params.begin(), params.end());
  for (int i = 1; i <= statement.ParameterCount(); ++i) {
    auto found = by_name.find(statement.ParameterName(i));
    if (found == by_name.end()) {
      return InvalidArgument(
          "You did not supply a value for binding parameter :" + statement.ParameterName(i) + ".");
    }
    ALM_RETURN_IF_ERROR(statement.Bind(i, Value::Text(found->second)));
  }
  int ncols = statement.ColumnCount();
  if (ncols == 0) {
    while (true) {
      ALM_ASSIGN_OR_RETURN(bool row, statement.Step());
      if (!row) break;
    }
    int64_t affected = IsDml(sql) ? conn.Changes() : -1;
    return PrintRows({"rows_affected"}, {{Value::Integer(affected)}}, flags);
  }
  std::vector<std::string> columns;
  for (int i = 0; i < ncols; ++i) columns.emplace_back(statement.ColumnName(i));
  format::RowsOutput out(options);
  if (!flags.raw && !flags.raw_lines) out.Begin(columns);
  std::vector<Value> row(static_cast<size_t>(ncols));
  while (true) {
    ALM_ASSIGN_OR_RETURN(bool more, statement.Step());
    if (!more) break;
    for (int i = 0; i < ncols; ++i) row[static_cast<size_t>(i)] = statement.Column(i);
    if (flags.raw || flags.raw_lines) {
      const Value& v = row[0];
      std::string text = v.ToDisplayString();
      Write(flags.raw_lines ? text + "\n" : text);
      if (flags.raw) return Status::Ok();
      continue;
    }
    out.Row(row);
    Write(out.Take());
  }
  if (flags.raw) {
    Write("None");
    return Status::Ok();
  }
  if (!flags.raw_lines) {
    out.End();
    Write(out.Take());
  }
  return Status::Ok();
}

}  // namespace almanac::cli
