#include "sql/ddl_sql.h"

#include "sql/bulk_sql.h"
#include "sql/query.h"

namespace almanac::sql {
namespace {

std::string Joined(const std::vector<std::string>& columns, const std::string& prefix) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    out += (i ? ", " : "") + prefix + QuoteIdentifier(columns[i]);
  }
  return out;
}

}  // namespace

std::string DefaultIndexName(const std::string& table, const std::vector<IndexColumn>& columns) {
  std::string name = "idx_";
  for (char c : table) name += c == ' ' ? '_' : c;
  for (const IndexColumn& c : columns) name += "_" + c.name;
  return name;
}

std::string CreateIndexSql(const std::string& index, const std::string& table,
                           const std::vector<IndexColumn>& columns, bool unique,
                           bool if_not_exists) {
  std::string out = unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
  if (if_not_exists) out += "IF NOT EXISTS ";
  out += QuoteIdentifier(index) + "\n    ON " + QuoteIdentifier(table) + " (";
  for (size_t i = 0; i < columns.size(); ++i) {
    out += (i ? ", " : "") + QuoteIdentifier(columns[i].name) + (columns[i].desc ? " desc" : "");
  }
  return out + ")";
}

std::string RebuiltIndexSql(const std::string& index, const std::string& table,
                            const std::vector<IndexColumn>& columns, bool unique) {
  std::string out = std::string(unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") +
                    QuoteIdentifier(index) + " ON " + QuoteIdentifier(table) + " (";
  for (size_t i = 0; i < columns.size(); ++i) {
    const IndexColumn& c = columns[i];
    out += (i ? ", " : "") + QuoteIdentifier(c.name);
    if (!c.collation.empty() && c.collation != "BINARY")
      out += " COLLATE " + QuoteIdentifier(c.collation);
    if (c.desc) out += " DESC";
  }
  return out + ")";
}

std::string CreateFtsSql(const std::string& table, const std::vector<std::string>& columns,
                         const std::string& module, const std::string& tokenize) {
  std::string out = "CREATE VIRTUAL TABLE " + QuoteIdentifier(table + "_fts") + " USING " + module +
                    " (\n    " + Joined(columns, "") + ",";
  if (!tokenize.empty()) out += "\n    tokenize=" + QuoteLiteral(tokenize) + ",";
  return out + "\n    content=" + QuoteIdentifier(table) + "\n)";
}

std::string PopulateFtsSql(const std::string& table, const std::vector<std::string>& columns) {
  std::string cols = Joined(columns, "");
  return "INSERT INTO " + QuoteIdentifier(table + "_fts") + " (rowid, " + cols +
         ")\n    SELECT rowid, " + cols + " FROM " + QuoteIdentifier(table);
}

std::string FtsTriggersSql(const std::string& table, const std::vector<std::string>& columns) {
  std::string t = QuoteIdentifier(table), fts = QuoteIdentifier(table + "_fts");
  std::string cols = Joined(columns, ""), old_cols = Joined(columns, "old."),
              new_cols = Joined(columns, "new.");
  std::string insert_new =
      "  INSERT INTO " + fts + " (rowid, " + cols + ") VALUES (new.rowid, " + new_cols + ");\n";
  std::string delete_old = "  INSERT INTO " + fts + " (" + fts + ", rowid, " + cols +
                           ") VALUES('delete', old.rowid, " + old_cols + ");\n";
  return "CREATE TRIGGER " + QuoteIdentifier(table + "_ai") + " AFTER INSERT ON " + t + " BEGIN\n" +
         insert_new + "END;\nCREATE TRIGGER " + QuoteIdentifier(table + "_ad") +
         " AFTER DELETE ON " + t + " BEGIN\n" + delete_old + "END;\nCREATE TRIGGER " +
         QuoteIdentifier(table + "_au") + " AFTER UPDATE ON " + t + " BEGIN\n" + delete_old +
         insert_new + "END;";
}

std::string CopyForRebuildSql(const std::string& from, const std::string& to,
                              const std::vector<std::pair<std::string, std::string>>& old_to_new,
                              const std::vector<bool>& nullif_empty, bool with_rowid) {
  std::string targets = with_rowid ? "rowid" : "";
  std::string sources = targets;
  for (size_t i = 0; i < old_to_new.size(); ++i) {
    if (!targets.empty()) {
      targets += ", ";
      sources += ", ";
    }
    targets += QuoteIdentifier(old_to_new[i].second);
    std::string old = QuoteIdentifier(old_to_new[i].first);
    sources += nullif_empty[i] ? "NULLIF(" + old + ", '')" : old;
  }
  return "INSERT INTO " + QuoteIdentifier(to) + " (" + targets + ")\n   SELECT " + sources +
         " FROM " + QuoteIdentifier(from);
}

std::string DisableFtsSql(const std::string& table) {
  std::string out = "DROP TABLE IF EXISTS " + QuoteIdentifier(table + "_fts") + ";";
  for (const char* suffix : {"_ai", "_ad", "_au"}) {
    out += "\nDROP TRIGGER IF EXISTS " + QuoteIdentifier(table + suffix) + ";";
  }
  return out;
}

namespace {

std::string AllNull(const std::vector<std::string>& columns) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    out += (i ? " AND " : "") + QuoteIdentifier(columns[i]) + " IS NULL";
  }
  return out;
}

std::string Matches(const std::string& table, const std::string& lookup,
                    const std::vector<std::string>& columns,
                    const std::vector<std::string>& lookup_columns, bool lookup_first) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    std::string ours = QuoteIdentifier(table) + "." + QuoteIdentifier(columns[i]);
    std::string theirs = QuoteIdentifier(lookup) + "." + QuoteIdentifier(lookup_columns[i]);
    out += (i ? " AND " : "") + (lookup_first ? theirs + " IS " + ours : ours + " IS " + theirs);
  }
  return out;
}

}  // namespace

std::string ExtractLookupSql(const std::string& table, const std::string& lookup,
                             const std::vector<std::string>& columns,
                             const std::vector<std::string>& lookup_columns) {
  return "INSERT OR IGNORE INTO " + QuoteIdentifier(lookup) + " (" + Joined(lookup_columns, "") +
         ") SELECT DISTINCT " + Joined(columns, "") + " FROM " + QuoteIdentifier(table) +
         " WHERE NOT (" + AllNull(columns) + ") AND NOT EXISTS (SELECT 1 FROM " +
         QuoteIdentifier(lookup) + " WHERE " +
         Matches(table, lookup, columns, lookup_columns, true) + ")";
}

std::string ExtractUpdateSql(const std::string& table, const std::string& lookup,
                             const std::string& fk_column, const std::vector<std::string>& columns,
                             const std::vector<std::string>& lookup_columns) {
  return "UPDATE " + QuoteIdentifier(table) + " SET " + QuoteIdentifier(fk_column) +
         " = (SELECT id FROM " + QuoteIdentifier(lookup) + " WHERE " +
         Matches(table, lookup, columns, lookup_columns, false) + ") WHERE NOT (" +
         AllNull(columns) + ")";
}

std::string DropTableSql(const std::string& table) {
  return "DROP TABLE " + QuoteIdentifier(table);
}

std::string RenameTableSql(const std::string& from, const std::string& to) {
  return "ALTER TABLE " + QuoteIdentifier(from) + " RENAME TO " + QuoteIdentifier(to);
}

}  // namespace almanac::sql
