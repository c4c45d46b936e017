// What the HTML write forms show besides their api model: the values a person submitted
// (shown again with the error when a submission fails), and the pasted data and its preview
// on the create-table form.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ingest/tabular.h"

namespace almanac::ui {

struct FormState {
  std::optional<std::string> error;
  // Submitted form fields (name, value) to show again.
  std::vector<std::pair<std::string, std::string>> values;
  const std::string* Value(const std::string& name) const {
    for (const auto& [k, v] : values) {
      if (k == name) return &v;
    }
    return nullptr;
  }
};

struct CreateTableState {
  std::string table_name;
  std::string pk;      // optional primary key column
  std::string format;  // "" (detect), "csv", "tsv", "json", "ndjson"
  std::string text;    // the pasted data
  std::optional<ingest::Tabular> preview;
  std::optional<std::string> error;
};

// Form field names for a column's value and its "set to null" box: "c." / "n." + name.
inline std::string ValueField(const std::string& column) { return "c." + column; }
inline std::string NullField(const std::string& column) { return "n." + column; }

}  // namespace almanac::ui
