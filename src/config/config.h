// Config: the instance's configuration (`-c datasette.yaml`) and metadata (`-m metadata.yaml`)
// merged the way Datasette 1.0 merges them: table options found in metadata (sort, size,
// hidden, label_column, fts_table, ...) move into the config; settings are applied separately.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "format/json_value.h"

namespace almanac::config {

// Options for one table or view, from `databases.<db>.tables.<table>` in the config.
struct TableOptions {
  std::optional<std::string> sort;
  std::optional<std::string> sort_desc;
  std::optional<int64_t> size;
  std::optional<std::vector<std::string>> sortable_columns;
  std::optional<std::string> label_column;
  std::optional<std::string> fts_table;
  std::optional<std::string> fts_pk;
  std::optional<std::string> searchmode;
  bool hidden = false;
  const format::JsonValue* facets = nullptr;  // the raw `facets:` list, if any
};

class Config {
 public:
  Config() : config_(format::JsonValue::MakeObject()), metadata_(format::JsonValue::MakeObject()) {}
  // Merges `metadata` into `config` as Datasette does: every "plugins" and "allow" key moves
  // to the same path in the config (move_plugins_and_allow), then the table options
  // (move_table_config); objects left empty in the metadata are dropped.
  static Config FromDocuments(format::JsonValue config, format::JsonValue metadata);

  const format::JsonValue& config() const { return config_; }
  const format::JsonValue& metadata() const { return metadata_; }

  // `databases.<db>` in the config, or nullptr.
  const format::JsonValue* DatabaseConfig(std::string_view db) const;
  // `databases.<db>.tables.<table>` in the config, or nullptr.
  const format::JsonValue* TableConfig(std::string_view db, std::string_view table) const;
  TableOptions Table(std::string_view db, std::string_view table) const;

  // Metadata blocks (title, description, license, source, about, columns...).
  const format::JsonValue* DatabaseMetadata(std::string_view db) const;
  const format::JsonValue* TableMetadata(std::string_view db, std::string_view table) const;

  // The config with the value of any key containing "secret", "key", "password", "token",
  // "hash" or "dsn" replaced by "***" (/-/config.json).
  format::JsonValue Redacted() const;

 private:
  format::JsonValue config_;
  format::JsonValue metadata_;
};

}  // namespace almanac::config
