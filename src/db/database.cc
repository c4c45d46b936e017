#include "db/database.h"

#include <filesystem>
#include <unordered_map>

#include <sqlite3.h>
#include <sys/stat.h>

namespace almanac::db {
namespace {

std::atomic<uint64_t> next_database_id{1};

// This thread's read connections, by database id.
std::unordered_map<uint64_t, std::unique_ptr<Connection>>& ThreadConnections() {
  thread_local std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections;
  return connections;
}

// Readers wait for a writer's lock instead of failing: a file in rollback-journal mode (until
// the first write switches it to WAL, or written by another process) locks readers out while
// a transaction commits.
constexpr std::string_view kBusyTimeout = "PRAGMA busy_timeout=5000";

Status SwitchToWal(Connection& writer) { return writer.Exec("PRAGMA journal_mode=WAL"); }

}  // namespace

Database::Database(DatabaseOptions options)
    : options_(std::move(options)), id_(next_database_id.fetch_add(1)) {}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(DatabaseOptions options) {
  std::unique_ptr<Database> db(new Database(std::move(options)));
  const DatabaseOptions& o = db->options_;
  if (!o.memory && !o.create && !std::filesystem::exists(o.path)) {
    return NotFound("Database file not found: " + o.path);
  }
  if (o.memory) {
    OpenOptions anchor{o.path, false, false, true, false, o.cache_size_kb};
    ALM_ASSIGN_OR_RETURN(db->memory_anchor_, Connection::Open(anchor));
  }
  OpenOptions writer{o.path, false, o.immutable, o.memory, o.create, o.cache_size_kb};
  writer.read_only = o.immutable;
  ALM_ASSIGN_OR_RETURN(db->writer_, Connection::Open(writer));
  // Other processes may write to the file too: wait for their locks instead of failing.
  if (!o.immutable) ALM_RETURN_IF_ERROR(db->writer_->Exec(kBusyTimeout));
  // Fail now, not on the first request, when the file is not a database.
  Status readable = db->writer_->Exec("select count(*) from sqlite_master");
  if (!readable.ok()) {
    return Status(readable.code(), o.path + ": " + std::string(readable.message()));
  }
  if (!o.immutable && !o.memory) {
    // FULL makes every commit durable (a connection setting: the file is not touched).
    ALM_RETURN_IF_ERROR(db->writer_->Exec("PRAGMA synchronous=FULL"));
    // --create makes a database of a missing or empty file now; otherwise viewing never changes
    // the file: it switches to WAL (readers beside the writer) at the first write.
    if (o.create && db->FileSize() == 0) ALM_RETURN_IF_ERROR(SwitchToWal(*db->writer_));
  }
  if (!o.immutable) {
    db->write_queue_ = std::make_unique<WriteQueue>(*db->writer_, o.name);
  }
  return db;
}

int64_t Database::FileSize() const {
  if (options_.memory) return 0;
  struct stat st {};
  if (::stat(options_.path.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_size);
}

Result<std::unique_ptr<Connection>> Database::OpenReadOnly(bool memory_map) const {
  OpenOptions read{options_.path,   true,  options_.immutable,
                   options_.memory, false, options_.cache_size_kb};
  ALM_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(read));
  if (options_.memory) ALM_RETURN_IF_ERROR(conn->Exec("PRAGMA query_only=1"));
  if (!options_.memory && !options_.immutable) ALM_RETURN_IF_ERROR(conn->Exec(kBusyTimeout));
  // Read file pages through a memory map instead of copying them into each connection's page
  // cache: full scans (facets, counts) cost a third less CPU.
  if (!options_.memory && memory_map) {
    ALM_RETURN_IF_ERROR(conn->Exec("PRAGMA mmap_size=1073741824"));
  }
  return conn;
}

Result<std::unique_ptr<Connection>> Database::OpenStreamingConnection() const {
  // No memory map: a stream reads the whole table once, and every mapped page it touched
  // would count in the process's resident set (a 1 GB table, 1 GB RSS). Through the page
  // cache, memory stays at cache_size however big the table is.
  return OpenReadOnly(false);
}

Result<Connection*> Database::ReadConnection() {
  auto& connections = ThreadConnections();
  auto found = connections.find(id_);
  if (found != connections.end()) return found->second.get();
  ALM_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, OpenReadOnly(true));
  Connection* raw = conn.get();
  connections.emplace(id_, std::move(conn));
  return raw;
}

Result<std::shared_ptr<const Schema>> Database::CurrentSchema(Connection& conn) {
  int64_t version = 0;
  if (is_mutable() || !schema_) {
    ALM_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare({"PRAGMA schema_version", {}}));
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    version = row ? stmt.ColumnInt(0) : 0;
  }
  {
    std::lock_guard lock(schema_mutex_);
    if (schema_ && (!is_mutable() || schema_->version() == version)) return schema_;
  }
  ALM_ASSIGN_OR_RETURN(std::shared_ptr<const Schema> loaded, Schema::Load(conn, version));
  std::lock_guard lock(schema_mutex_);
  schema_ = loaded;
  return loaded;
}

Result<std::optional<uint64_t>> Database::ChangeGeneration() {
  if (options_.memory) return std::optional<uint64_t>();
  if (options_.immutable) return std::optional<uint64_t>(0);
  std::lock_guard lock(generation_mutex_);
  if (!monitor_) {
    OpenOptions read{options_.path, true, false, false, false, 0};
    ALM_ASSIGN_OR_RETURN(monitor_, Connection::Open(read));
    ALM_RETURN_IF_ERROR(monitor_->Exec(kBusyTimeout));
  }
  ALM_ASSIGN_OR_RETURN(Statement stmt, monitor_->Prepare({"PRAGMA data_version", {}}));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  int64_t version = row ? stmt.ColumnInt(0) : -1;
  if (version != monitor_data_version_) {
    monitor_data_version_ = version;
    ++generation_;
  }
  return std::optional<uint64_t>(generation_);
}

Status Registry::Add(std::unique_ptr<Database> db) {
  if (Find(db->name())) return Conflict("Database name already in use: " + db->name());
  databases_.push_back(std::move(db));
  return Status::Ok();
}

Database* Registry::Find(std::string_view name) const {
  for (const auto& db : databases_) {
    if (db->name() == name) return db.get();
  }
  return nullptr;
}

std::string Registry::UniqueNameFor(std::string_view path) const {
  std::string stem = std::filesystem::path(std::string(path)).stem().string();
  std::string name = stem;
  for (int suffix = 2; Find(name); ++suffix) name = stem + "_" + std::to_string(suffix);
  return name;
}

}  // namespace almanac::db
