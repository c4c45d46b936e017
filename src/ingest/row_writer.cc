#include "ingest/row_writer.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <sqlite3.h>

#include "ingest/table_plan.h"
#include "sql/bulk_sql.h"

namespace almanac::ingest {
namespace {

// No row has this rowid in practice; an upsert that leaves it in place updated a row.
constexpr int64_t kNoInsert = std::numeric_limits<int64_t>::min();

Status BindCell(db::Statement& statement, int index, const Cell& cell) {
  switch (cell.kind) {
    case Cell::Kind::kNull:
      return statement.BindNull(index);
    case Cell::Kind::kInteger:
      return statement.BindInt(index, cell.integer);
    case Cell::Kind::kReal:
      return statement.BindDouble(index, cell.real);
    case Cell::Kind::kText:
      return statement.BindText(index, cell.bytes);
    case Cell::Kind::kBlob:
      return statement.BindBlob(index, cell.bytes);
  }
  return Status::Ok();
}

}  // namespace

RowWriter::RowWriter(db::Connection& conn, std::string table, bool upsert,
                     sql::OnConflict on_conflict, std::vector<std::string> key)
    : conn_(conn),
      table_(std::move(table)),
      upsert_(upsert),
      on_conflict_(on_conflict),
      key_(std::move(key)) {}

Status RowWriter::Fail(uint64_t line, const Status& status) const {
  std::string message = "Line " + std::to_string(line) + ": " + status.message();
  if (message.find("UNIQUE constraint failed") != std::string::npos && !upsert_) {
    message += " (use --ignore or --replace, or upsert)";
  }
  return Status(status.code(), message);
}

Result<RowWriter::Shape*> RowWriter::ShapeFor(const std::vector<std::string>& names,
                                              const RecordView& record) {
  if (last_ && std::equal(record.columns.begin(), record.columns.end(), last_columns_.begin(),
                          last_columns_.end())) {
    return last_;
  }
  std::string key(reinterpret_cast<const char*>(record.columns.data()),
                  record.columns.size() * sizeof(uint32_t));
  auto found = shapes_.find(key);
  if (found == shapes_.end()) {
    Shape shape;
    std::vector<std::string> record_names;
    for (uint32_t c : record.columns) {
      shape.columns.push_back(sql::Identifier::FromSchema(names[c]));
      record_names.push_back(names[c]);
    }
    sql::Identifier table = sql::Identifier::FromSchema(table_);
    if (upsert_) {
      std::vector<sql::Identifier> key_ids;
      for (const std::string& k : key_) {
        int at = FindColumn(k, record_names);
        if (at < 0) {
          return InvalidArgument("Line " + std::to_string(record.line) +
                                 ": the record has no value for the primary key column " + k);
        }
        shape.key_cells.push_back(static_cast<size_t>(at));
        key_ids.push_back(sql::Identifier::FromSchema(k));
      }
      ALM_ASSIGN_OR_RETURN(shape.single,
                           conn_.Prepare(sql::UpsertTemplate(table, shape.columns, key_ids)));
    } else {
      ALM_ASSIGN_OR_RETURN(
          shape.single, conn_.Prepare(sql::InsertTemplate(table, shape.columns, 1, on_conflict_)));
      // SQLite allows 32766 parameters per statement.
      shape.batch_rows = std::max<size_t>(
          1, std::min(kBatchRows, 32000 / std::max<size_t>(1, shape.columns.size())));
    }
    found = shapes_.emplace(key, std::move(shape)).first;
  }
  last_columns_.assign(record.columns.begin(), record.columns.end());
  last_ = &found->second;
  return last_;
}

Status RowWriter::Write(const std::vector<std::string>& names, const RecordView& record) {
  std::span<const Cell> cells = record.cells;
  Result<Shape*> shape_or = ShapeFor(names, record);
  if (!shape_or.ok()) return shape_or.status();
  Shape& shape = **shape_or;
  if (upsert_ || shape.batch_rows == 1) return WriteOne(shape, cells.data(), record.line);
  if (pending_shape_ != &shape) {
    ALM_RETURN_IF_ERROR(Flush());
    pending_shape_ = &shape;
  }
  for (const Cell& cell : cells) {
    pending_offsets_.push_back(arena_.size());
    pending_cells_.push_back(cell);
    if (cell.kind == Cell::Kind::kText || cell.kind == Cell::Kind::kBlob) {
      arena_.append(cell.bytes);
    }
  }
  pending_lines_.push_back(record.line);
  if (pending_lines_.size() == shape.batch_rows) return Flush();
  return Status::Ok();
}

Status RowWriter::Flush() {
  if (pending_lines_.empty()) return Status::Ok();
  Shape& shape = *pending_shape_;
  for (size_t i = 0; i < pending_cells_.size(); ++i) {
    Cell& cell = pending_cells_[i];
    if (cell.kind == Cell::Kind::kText || cell.kind == Cell::Kind::kBlob) {
      cell.bytes = std::string_view(arena_.data() + pending_offsets_[i], cell.bytes.size());
    }
  }
  size_t rows = pending_lines_.size();
  Status status = WriteBatch(shape, rows);
  // A full database (a disk quota) may have ended the transaction: then the batch's error is
  // the answer, and a replay would only meet the rollback's consequences.
  bool replay = !status.ok() && status.code() != ErrorCode::kTooLarge &&
                sqlite3_get_autocommit(conn_.handle()) == 0;
  if (replay) {
    // Replay row by row to find (and name) the record that failed.
    status = Status::Ok();
    for (size_t r = 0; r < rows && status.ok(); ++r) {
      status = WriteOne(shape, pending_cells_.data() + r * shape.columns.size(), pending_lines_[r]);
    }
  }
  pending_cells_.clear();
  pending_offsets_.clear();
  pending_lines_.clear();
  arena_.clear();
  pending_shape_ = nullptr;
  return status;
}

Status RowWriter::WriteBatch(Shape& shape, size_t rows) {
  db::Statement* statement = &shape.single;
  db::Statement partial;
  auto prepare = [&](db::Statement& into) -> Status {
    Result<db::Statement> prepared = conn_.Prepare(sql::InsertTemplate(
        sql::Identifier::FromSchema(table_), shape.columns, rows, on_conflict_));
    if (!prepared.ok()) return prepared.status();
    into = std::move(prepared).value();
    return Status::Ok();
  };
  if (rows > 1 && rows == shape.batch_rows) {
    if (!shape.batch.handle()) ALM_RETURN_IF_ERROR(prepare(shape.batch));
    statement = &shape.batch;
  } else if (rows > 1) {
    ALM_RETURN_IF_ERROR(prepare(partial));
    statement = &partial;
  }
  for (size_t i = 0; i < pending_cells_.size(); ++i) {
    ALM_RETURN_IF_ERROR(BindCell(*statement, static_cast<int>(i) + 1, pending_cells_[i]));
  }
  Result<bool> stepped = statement->Step();
  statement->Reset();
  if (!stepped.ok()) return stepped.status();
  int64_t changed = conn_.Changes();
  counts_.inserted += changed;
  counts_.skipped += static_cast<int64_t>(rows) - changed;
  return Status::Ok();
}

Status RowWriter::WriteOne(Shape& shape, const Cell* cells, uint64_t line) {
  for (size_t i : shape.key_cells) {
    if (cells[i].kind == Cell::Kind::kNull) {
      return InvalidArgument("Line " + std::to_string(line) + ": the primary key column " +
                             shape.columns[i].name() + " is empty");
    }
  }
  for (size_t i = 0; i < shape.columns.size(); ++i) {
    Status bound = BindCell(shape.single, static_cast<int>(i) + 1, cells[i]);
    if (!bound.ok()) return Fail(line, bound);
  }
  if (upsert_) conn_.SetLastInsertRowid(kNoInsert);
  Result<bool> stepped = shape.single.Step();
  shape.single.Reset();
  if (!stepped.ok()) return Fail(line, stepped.status());
  if (conn_.Changes() == 0) {
    ++counts_.skipped;
  } else if (upsert_ && conn_.LastInsertRowid() == kNoInsert) {
    ++counts_.updated;
  } else {
    ++counts_.inserted;
  }
  return Status::Ok();
}

}  // namespace almanac::ingest
