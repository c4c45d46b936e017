#include "ingest/importer.h"

#include <atomic>
#include <memory>

#include <sqlite3.h>

#include "db/schema.h"
#include "ingest/pipeline.h"
#include "sql/bulk_sql.h"

namespace almanac::ingest {
namespace {

constexpr int64_t kProgressEvery = 8192;
// CSV/TSV records typed before writing starts; the rest are checked as they are written.
constexpr int64_t kSampleRecords = 20000;

class Importer {
 public:
  Importer(db::Connection& conn, RecordSource& source, const ImportOptions& options,
           ImportObserver* observer)
      : conn_(conn), source_(source), options_(options), observer_(observer) {}

  Result<ImportResult> Run() {
    ALM_RETURN_IF_ERROR(LoadTable());
    bool table_existed = exists_;
    if (!exists_) ALM_RETURN_IF_ERROR(ChooseTypes(kSampleRecords));
    ALM_RETURN_IF_ERROR(ChooseKey());
    Status status = Attempt();
    if (!status.ok() && guess_failed_) {
      // A value late in the file did not fit the type its first records suggested: type every
      // record (a full pass), then import again from the start.
      guess_failed_ = false;
      exists_ = created_ = table_existed;
      table_columns_.clear();
      checked_.clear();
      records_ = 0;
      ALM_RETURN_IF_ERROR(source_.Rewind());
      ALM_RETURN_IF_ERROR(ChooseTypes(0));
      status = Attempt();
    }
    ALM_RETURN_IF_ERROR(status);
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

  // One transaction: everything written, or nothing.
  Status Attempt() {
    writer_ = std::make_unique<RowWriter>(conn_, options_.table, options_.upsert,
                                          options_.on_conflict, key_);
    // Inside a caller's transaction (a write queue's job) the import is a savepoint of it.
    bool nested = sqlite3_get_autocommit(conn_.handle()) == 0;
    ALM_RETURN_IF_ERROR(conn_.Exec(nested ? "SAVEPOINT almanac_import" : "BEGIN IMMEDIATE"));
    Status status = WriteAll();
    if (status.ok()) status = conn_.Exec(nested ? "RELEASE almanac_import" : "COMMIT");
    if (!status.ok()) {
      writer_.reset();  // statements finalized before the rollback
      if (nested) {
        (void)conn_.Exec("ROLLBACK TO almanac_import");
        (void)conn_.Exec("RELEASE almanac_import");
      } else {
        (void)conn_.Exec("ROLLBACK");
      }
    }
    return status;
  }

  // Types for the table this import will create: detected (CSV/TSV), from the first batch
  // (JSON), then --type. CSV/TSV types come from the first `sample` records (0: all of them);
  // when the sample is not the whole input, a later value that does not fit fails the import
  // with guess_failed_ set, and Run starts again with every record typed.
  Status ChooseTypes(int64_t sample) {
    types_.clear();
    convert_ = false;
    if (source_.tabular() && options_.detect_types) {
      std::vector<TypeGuess> guesses;
      Record record;
      int64_t records = 0;
      speculative_ = false;
      while (options_.stop_after == 0 || records < options_.stop_after) {
        if (sample > 0 && records == sample) {
          speculative_ = options_.commit_every == 0;  // batches committed cannot be undone
          if (!speculative_) sample = 0;
          if (speculative_) break;
        }
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
    forced_.assign(types_.size(), false);
    for (const auto& [column, type] : options_.types) {
      int i = FindColumn(column, source_.columns());
      if (i >= 0) {
        types_[static_cast<size_t>(i)] = type;
        forced_[static_cast<size_t>(i)] = true;
      }
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

  // Creates the table from the columns typed before writing began (a JSON column first met
  // later needs --alter, as in sqlite-utils).
  Status CreateTable() {
    std::vector<std::string> names(names_.begin(),
                                   names_.begin() + static_cast<ptrdiff_t>(types_.size()));
    ALM_ASSIGN_OR_RETURN(sql::TableDef def,
                         PlanTable(options_.table, names, types_, options_.spec));
    ALM_RETURN_IF_ERROR(conn_.Exec(sql::CreateTable(def, options_.strict)));
    created_ = exists_ = true;
    for (const auto& c : def.columns) table_columns_.push_back(c.name);
    return Status::Ok();
  }

  // Checks (once per source column) that the table has the record's columns, adding the
  // missing ones with --alter.
  Status EnsureColumns(const RecordView& record) {
    if (checked_.size() < names_.size()) checked_.resize(names_.size(), false);
    for (uint32_t c : record.columns) {
      if (checked_[c]) continue;
      if (FindColumn(names_[c], table_columns_) < 0) {
        if (!options_.alter) {
          return InvalidArgument("Line " + std::to_string(record.line) + ": table " +
                                 options_.table + " has no column named " + names_[c] +
                                 " (use --alter to add it)");
        }
        ALM_RETURN_IF_ERROR(writer_->Flush());
        ColumnType type = c < suggested_.size() ? suggested_[c] : ColumnType::kText;
        sql::ColumnDef column{names_[c], std::string(SqlTypeName(type)), false, {}, {}};
        ALM_RETURN_IF_ERROR(conn_.Exec(sql::AddColumnSql(options_.table, column)));
        table_columns_.push_back(names_[c]);
      }
      checked_[c] = true;
    }
    return Status::Ok();
  }

  // Text cells of a table this import created, stored as their column's detected type.
  Status ConvertCells(Record& record, uint32_t* failed) const {
    for (size_t i = 0; i < record.cells.size(); ++i) {
      Cell& cell = record.cells[i];
      if (cell.kind != Cell::Kind::kText) continue;
      uint32_t c = record.columns[i];
      Result<Cell> typed = ConvertText(cell.bytes, types_[c], source_.columns()[c]);
      if (!typed.ok()) {
        *failed = c;
        return InvalidArgument("Line " + std::to_string(record.line) + ": " +
                               typed.status().message());
      }
      cell = *typed;
    }
    return Status::Ok();
  }

  // ConvertCells for a pipeline: a value that does not fit a sampled (not --type) type asks
  // for a retry.
  Status ConvertOrRetry(Record& record) {
    uint32_t column = 0;
    Status status = ConvertCells(record, &column);
    if (!status.ok() && speculative_ && !forced_[column]) guess_failed_ = true;
    return status;
  }

  Status WriteRecord(const RecordView& record) {
    if (!exists_) ALM_RETURN_IF_ERROR(CreateTable());
    ALM_RETURN_IF_ERROR(EnsureColumns(record));
    ALM_RETURN_IF_ERROR(writer_->Write(names_, record));
    ++records_;
    if (options_.commit_every > 0 && records_ % options_.commit_every == 0) {
      ALM_RETURN_IF_ERROR(writer_->Flush());
      ALM_RETURN_IF_ERROR(conn_.Exec("COMMIT"));
      ALM_RETURN_IF_ERROR(conn_.Exec("BEGIN IMMEDIATE"));
    }
    return Status::Ok();
  }

  // Records are read and converted on the pipeline's thread while this one writes.
  Status WriteAll() {
    if (options_.truncate && exists_) {
      ALM_RETURN_IF_ERROR(Run(sql::DeleteAllRows(Id(options_.table))));
    }
    names_ = source_.columns();
    RecordPipeline::Convert convert;
    if (convert_) convert = [this](Record& record) { return ConvertOrRetry(record); };
    RecordPipeline pipeline(source_, options_.stop_after, convert);
    while (true) {
      std::unique_ptr<RecordBatch> batch = pipeline.Next();
      names_.insert(names_.end(), batch->new_columns.begin(), batch->new_columns.end());
      suggested_ = batch->suggested;
      for (size_t i = 0; i < batch->size(); ++i) ALM_RETURN_IF_ERROR(WriteRecord(batch->record(i)));
      if (observer_) {
        observer_->Progress(ImportObserver::Phase::kWriting, records_, batch->position,
                            batch->total_bytes);
      }
      ALM_RETURN_IF_ERROR(batch->status);
      if (batch->last) break;
      pipeline.Recycle(std::move(batch));
    }
    return writer_->Flush();
  }

  void Report(ImportObserver::Phase phase, int64_t records) {
    if (observer_) observer_->Progress(phase, records, source_.position(), source_.size());
  }

  db::Connection& conn_;
  RecordSource& source_;
  const ImportOptions& options_;
  ImportObserver* observer_;
  bool exists_ = false, created_ = false, convert_ = false;
  bool speculative_ = false;               // types_ came from the first records only
  std::atomic<bool> guess_failed_{false};  // set on the pipeline's thread
  std::vector<bool> forced_;               // per source column: typed by --type
  std::vector<std::string> table_columns_, table_pks_, key_;
  std::vector<std::string> names_;     // the source's columns, as the batches tell them
  std::vector<ColumnType> suggested_;  // their suggested types, as of the latest batch
  int64_t records_ = 0;
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
