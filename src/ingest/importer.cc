#include "ingest/importer.h"

#include <memory>

#include "db/schema.h"
#include "sql/bulk_sql.h"

namespace almanac::ingest {
namespace {

constexpr int64_t kProgressEvery = 8192;

class Importer {
 public:
  Importer(db::Connection& conn, RecordSource& source, const ImportOptions& options,
           ImportObserver* observer)
      : conn_(conn), source_(source), options_(options), observer_(observer) {}

  Result<ImportResult> Run() {
    ALM_RETURN_IF_ERROR(LoadTable());
    if (!exists_) ALM_RETURN_IF_ERROR(ChooseTypes());
    ALM_RETURN_IF_ERROR(ChooseKey());
    writer_ = std::make_unique<RowWriter>(conn_, options_.table, options_.upsert,
                                          options_.on_conflict, key_);
    ALM_RETURN_IF_ERROR(conn_.Exec("BEGIN IMMEDIATE"));
    Status status = WriteAll();
    if (status.ok()) status = conn_.Exec("COMMIT");
    if (!status.ok()) {
      writer_.reset();  // statements finalized before the rollback
      (void)conn_.Exec("ROLLBACK");
      return status;
    }
    if (options_.analyze && (exists_ || created_)) {
      ALM_RETURN_IF_ERROR(Run(sql::AnalyzeTable(Id(options_.table))));
    }
    return ImportResult{writer_->counts(), created_};
  }

 private:
  static sql::Identifier Id(const std::string& name) { return sql::Identifier::FromSchema(name); }

  Status Run(const sql::Query& query) {
    ALM_ASSIGN_OR_RETURN(db::Statement statement, conn_.Prepare(query));
    while (true) {
      ALM_ASSIGN_OR_RETURN(bool row, statement.Step());
      if (!row) return Status::Ok();
    }
  }

  Status LoadTable() {
    ALM_ASSIGN_OR_RETURN(auto schema, db::Schema::Load(conn_, 0));
    const db::TableInfo* table = schema->Find(options_.table);
    if (!table) return Status::Ok();
    if (table->is_view()) return InvalidArgument(options_.table + " is a view, not a table");
    exists_ = true;
    table_columns_ = table->ColumnNames();
    table_pks_ = table->primary_keys;
    return Status::Ok();
  }

  // Types for the table this import will create: detected (CSV/TSV, a first pass), from the
  // first batch (JSON), then --type.
  Status ChooseTypes() {
    if (source_.tabular() && options_.detect_types) {
      std::vector<TypeGuess> guesses;
      Record record;
      int64_t records = 0;
      while (options_.stop_after == 0 || records < options_.stop_after) {
        ALM_ASSIGN_OR_RETURN(bool more, source_.Next(record));
        if (!more) break;
        if (guesses.size() < record.cells.size()) guesses.resize(record.cells.size());
        for (size_t i = 0; i < record.cells.size(); ++i) {
          if (record.cells[i].kind == Cell::Kind::kText) guesses[i].Observe(record.cells[i].bytes);
        }
        if (++records % kProgressEvery == 0)
          Report(ImportObserver::Phase::kDetectingTypes, records);
      }
      guesses.resize(source_.columns().size());
      for (const TypeGuess& g : guesses) types_.push_back(g.type());
      ALM_RETURN_IF_ERROR(source_.Rewind());
    } else {
      ALM_RETURN_IF_ERROR(source_.Prefetch(kJsonTypeBatch));
      for (size_t i = 0; i < source_.columns().size(); ++i) {
        types_.push_back(source_.tabular() ? ColumnType::kText : source_.SuggestedType(i));
      }
    }
    for (const auto& [column, type] : options_.types) {
      int i = FindColumn(column, source_.columns());
      if (i >= 0) types_[static_cast<size_t>(i)] = type;
    }
    for (ColumnType t : types_) convert_ = convert_ || (source_.tabular() && IsNumeric(t));
    return Status::Ok();
  }

  Status ChooseKey() {
    if (!options_.upsert) return Status::Ok();
    const std::vector<std::string>& names = exists_ ? table_columns_ : source_.columns();
    for (const std::string& pk : options_.spec.pk) key_.push_back(ResolveCasing(pk, names));
    if (key_.empty()) key_ = table_pks_;
    if (key_.empty()) {
      return InvalidArgument(
          "upsert needs a primary key: pass --pk, or upsert into a table "
          "that has one");
    }
    return Status::Ok();
  }

  Status CreateTable() {
    ALM_ASSIGN_OR_RETURN(sql::TableDef def,
                         PlanTable(options_.table, source_.columns(), types_, options_.spec));
    ALM_RETURN_IF_ERROR(conn_.Exec(sql::CreateTable(def, options_.strict)));
    created_ = exists_ = true;
    for (const auto& c : def.columns) table_columns_.push_back(c.name);
    return Status::Ok();
  }

  // Checks (once per source column) that the table has the record's columns, adding the
  // missing ones with --alter.
  Status EnsureColumns(const Record& record) {
    const std::vector<std::string>& names = source_.columns();
    if (checked_.size() < names.size()) checked_.resize(names.size(), false);
    for (uint32_t c : record.columns) {
      if (checked_[c]) continue;
      if (FindColumn(names[c], table_columns_) < 0) {
        if (!options_.alter) {
          return InvalidArgument("Line " + std::to_string(record.line) + ": table " +
                                 options_.table + " has no column named " + names[c] +
                                 " (use --alter to add it)");
        }
        ALM_RETURN_IF_ERROR(writer_->Flush());
        sql::ColumnDef column{
            names[c], std::string(SqlTypeName(source_.SuggestedType(c))), false, {}, {}};
        ALM_RETURN_IF_ERROR(conn_.Exec(sql::AddColumnSql(options_.table, column)));
        table_columns_.push_back(names[c]);
      }
      checked_[c] = true;
    }
    return Status::Ok();
  }

  Status WriteAll() {
    if (options_.truncate && exists_)
      ALM_RETURN_IF_ERROR(Run(sql::DeleteAllRows(Id(options_.table))));
    Record record;
    std::vector<Cell> cells;
    int64_t records = 0;
    while (options_.stop_after == 0 || records < options_.stop_after) {
      ALM_ASSIGN_OR_RETURN(bool more, source_.Next(record));
      if (!more) break;
      if (!exists_) ALM_RETURN_IF_ERROR(CreateTable());
      ALM_RETURN_IF_ERROR(EnsureColumns(record));
      if (convert_) {
        cells.resize(record.cells.size());
        for (size_t i = 0; i < record.cells.size(); ++i) {
          const Cell& cell = record.cells[i];
          if (cell.kind != Cell::Kind::kText) {
            cells[i] = cell;
            continue;
          }
          uint32_t c = record.columns[i];
          Result<Cell> typed = ConvertText(cell.bytes, types_[c], source_.columns()[c]);
          if (!typed.ok()) {
            return InvalidArgument("Line " + std::to_string(record.line) + ": " +
                                   typed.status().message());
          }
          cells[i] = *typed;
        }
        ALM_RETURN_IF_ERROR(writer_->Write(source_.columns(), record, cells));
      } else {
        ALM_RETURN_IF_ERROR(writer_->Write(source_.columns(), record, record.cells));
      }
      ++records;
      if (options_.commit_every > 0 && records % options_.commit_every == 0) {
        ALM_RETURN_IF_ERROR(writer_->Flush());
        ALM_RETURN_IF_ERROR(conn_.Exec("COMMIT"));
        ALM_RETURN_IF_ERROR(conn_.Exec("BEGIN IMMEDIATE"));
      }
      if (records % kProgressEvery == 0) Report(ImportObserver::Phase::kWriting, records);
    }
    ALM_RETURN_IF_ERROR(writer_->Flush());
    Report(ImportObserver::Phase::kWriting, records);
    return Status::Ok();
  }

  void Report(ImportObserver::Phase phase, int64_t records) {
    if (observer_) observer_->Progress(phase, records, source_.position(), source_.size());
  }

  db::Connection& conn_;
  RecordSource& source_;
  const ImportOptions& options_;
  ImportObserver* observer_;
  bool exists_ = false, created_ = false, convert_ = false;
  std::vector<std::string> table_columns_, table_pks_, key_;
  std::vector<ColumnType> types_;  // per source column, for a table this import creates
  std::vector<bool> checked_;
  std::unique_ptr<RowWriter> writer_;
};

}  // namespace

Result<ImportResult> Import(db::Connection& conn, RecordSource& source,
                            const ImportOptions& options, ImportObserver* observer) {
  return Importer(conn, source, options, observer).Run();
}

}  // namespace almanac::ingest
