#include "ingest/row_writer.h"

#include <cstring>
#include <limits>

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

void RowWriter::Clear() {
  last_ = nullptr;
  last_key_.clear();
  shapes_.clear();
}

Status RowWriter::Fail(const Record& record, const Status& status) const {
  std::string message = "Line " + std::to_string(record.line) + ": " + status.message();
  if (message.find("UNIQUE constraint failed") != std::string::npos && !upsert_) {
    message += " (use --ignore or --replace, or upsert)";
  }
  return Status(status.code(), message);
}

Result<RowWriter::Shape*> RowWriter::ShapeFor(const std::vector<std::string>& names,
                                              const Record& record) {
  std::string key(reinterpret_cast<const char*>(record.columns.data()),
                  record.columns.size() * sizeof(uint32_t));
  if (last_ && key == last_key_) return last_;
  auto found = shapes_.find(key);
  if (found == shapes_.end()) {
    std::vector<sql::Identifier> columns;
    std::vector<std::string> record_names;
    for (uint32_t c : record.columns) {
      columns.push_back(sql::Identifier::FromSchema(names[c]));
      record_names.push_back(names[c]);
    }
    Shape shape;
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
      ALM_ASSIGN_OR_RETURN(shape.statement,
                           conn_.Prepare(sql::UpsertTemplate(table, columns, key_ids)));
    } else {
      ALM_ASSIGN_OR_RETURN(shape.statement,
                           conn_.Prepare(sql::InsertTemplate(table, columns, 1, on_conflict_)));
    }
    found = shapes_.emplace(key, std::move(shape)).first;
  }
  last_key_ = std::move(key);
  last_ = &found->second;
  return last_;
}

Status RowWriter::Write(const std::vector<std::string>& names, const Record& record,
                        const std::vector<Cell>& cells) {
  Result<Shape*> shape_or = ShapeFor(names, record);
  if (!shape_or.ok()) return shape_or.status();
  Shape& shape = **shape_or;
  for (size_t i : shape.key_cells) {
    if (cells[i].kind == Cell::Kind::kNull) {
      return InvalidArgument("Line " + std::to_string(record.line) + ": the primary key column " +
                             names[record.columns[i]] + " is empty");
    }
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    Status bound = BindCell(shape.statement, static_cast<int>(i) + 1, cells[i]);
    if (!bound.ok()) return Fail(record, bound);
  }
  if (upsert_) conn_.SetLastInsertRowid(kNoInsert);
  Result<bool> stepped = shape.statement.Step();
  shape.statement.Reset();
  if (!stepped.ok()) return Fail(record, stepped.status());
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
