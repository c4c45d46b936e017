// DDL of the CLI's table commands, in sqlite-utils' exact text (so schemas read the same):
// indexes, FTS tables and their triggers, and the statements of a table rebuild. Pure: text
// only; every name quoted.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace almanac::sql {

struct IndexColumn {
  std::string name;
  bool desc = false;
  std::string collation;  // "" or BINARY: none written
};

// CREATE [UNIQUE ]INDEX [IF NOT EXISTS ]"name"\n    ON "t" ("a", "b" desc)
std::string CreateIndexSql(const std::string& index, const std::string& table,
                           const std::vector<IndexColumn>& columns, bool unique,
                           bool if_not_exists);
// An index recreated by a table rebuild after a rename, on one line as sqlite-utils writes it:
// CREATE [UNIQUE ]INDEX "name" ON "t" ("a", "b" DESC)
std::string RebuiltIndexSql(const std::string& index, const std::string& table,
                            const std::vector<IndexColumn>& columns, bool unique);
// sqlite-utils' default index name: idx_<table, spaces as _>_<columns joined by _>.
std::string DefaultIndexName(const std::string& table, const std::vector<IndexColumn>& columns);

// CREATE VIRTUAL TABLE "t_fts" USING FTS5 (\n    "a", "b",[\n    tokenize='porter',]\n
//     content="t"\n)   — `module` is FTS4 or FTS5.
std::string CreateFtsSql(const std::string& table, const std::vector<std::string>& columns,
                         const std::string& module, const std::string& tokenize);
// INSERT INTO "t_fts" (rowid, "a") SELECT rowid, "a" FROM "t" (sqlite-utils' line layout).
std::string PopulateFtsSql(const std::string& table, const std::vector<std::string>& columns);
// The three triggers (t_ai, t_ad, t_au) that keep "t_fts" in step with "t".
std::string FtsTriggersSql(const std::string& table, const std::vector<std::string>& columns);

// Drops "t_fts" and the triggers t_ai, t_ad, t_au when they exist (sqlite-utils' disable_fts).
std::string DisableFtsSql(const std::string& table);

// extract: the distinct non-null value combinations of `columns` of "t" not yet in "lookup"
// (compared with IS, so NULLs match), inserted as `lookup_columns`:
// INSERT OR IGNORE INTO "lookup" ("a") SELECT DISTINCT "a" FROM "t" WHERE NOT ("a" IS NULL)
//   AND NOT EXISTS (SELECT 1 FROM "lookup" WHERE "lookup"."a" IS "t"."a")
std::string ExtractLookupSql(const std::string& table, const std::string& lookup,
                             const std::vector<std::string>& columns,
                             const std::vector<std::string>& lookup_columns);
// extract: UPDATE "t" SET "fk" = (SELECT id FROM "lookup" WHERE "t"."a" IS "lookup"."a")
//   WHERE NOT ("a" IS NULL)
std::string ExtractUpdateSql(const std::string& table, const std::string& lookup,
                             const std::string& fk_column, const std::vector<std::string>& columns,
                             const std::vector<std::string>& lookup_columns);

// INSERT INTO "to" ([rowid, ]"n1", ...)\n   SELECT [rowid, ]<"o1" or NULLIF("o1", '')>, ...
// FROM "from" — `nullif_empty[i]` for a text column becoming numeric (empty text -> NULL).
std::string CopyForRebuildSql(const std::string& from, const std::string& to,
                              const std::vector<std::pair<std::string, std::string>>& old_to_new,
                              const std::vector<bool>& nullif_empty, bool with_rowid);

std::string DropTableSql(const std::string& table);
std::string RenameTableSql(const std::string& from, const std::string& to);

}  // namespace almanac::sql
