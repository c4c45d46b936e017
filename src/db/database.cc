#include "db/database.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "core/hex.h"
#include "db/read_transaction.h"

namespace almanac::db {
namespace {

std::atomic<uint64_t> next_database_id{1};

// Begins the snapshot of `conn`'s open, deferred transaction (a first read from the file) and
// returns the pager's data version as of that snapshot: SQLITE_FCNTL_DATA_VERSION moves
// whenever the file's content changed, whoever committed (this process or another one).
Result<unsigned int> StartSnapshot(Connection& conn) {
  ALM_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare({"PRAGMA schema_version", {}}));
  ALM_RETURN_IF_ERROR(stmt.Step().status());
  unsigned int version = 0;
  if (sqlite3_file_control(conn.handle(), "main", SQLITE_FCNTL_DATA_VERSION, &version) !=
      SQLITE_OK) {
    return Internal("Could not read the database file's data version");
  }
  return version;
}

// Readers wait for a writer's lock instead of failing: a file in rollback-journal mode (until
// the first write switches it to WAL, or written by another process) locks readers out while
// a transaction commits.
constexpr std::string_view kBusyTimeout = "PRAGMA busy_timeout=5000";

Status SwitchToWal(Connection& writer) { return writer.Exec("PRAGMA journal_mode=WAL"); }

// SHA-256 of a file's bytes as lowercase hex (Python's hashlib.sha256().hexdigest()), read in
// 1 MB blocks; nullopt when the file cannot be read.
std::optional<std::string> Sha256FileHex(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return std::nullopt;
  std::vector<char> block(1 << 20);
  while (file) {
    file.read(block.data(), static_cast<std::streamsize>(block.size()));
    if (file.gcount() > 0)
      EVP_DigestUpdate(ctx.get(), block.data(), static_cast<size_t>(file.gcount()));
  }
  if (file.bad()) return std::nullopt;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &length);
  return HexEncode(digest.data(), length);
}

// "file:" URI of a path, with the characters URI filenames treat specially percent-encoded.
std::string FileUri(const std::string& path) {
  std::string uri = "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      uri += '%';
      uri += kHex[(static_cast<unsigned char>(c) >> 4) & 15];
      uri += kHex[static_cast<unsigned char>(c) & 15];
    } else {
      uri += c;
    }
  }
  return uri;
}

// SQL text for a string literal or a quoted name (the quote character doubled inside).
std::string Quote(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    out += c;
    if (c == quote) out += quote;
  }
  return out + quote;
}

// Loads each extension through sqlite3_load_extension, enabling the C API for the call only.
Status LoadExtensions(Connection& conn, const std::vector<std::string>& extensions) {
  for (const std::string& spec : extensions) {
    std::string path = spec;
    std::string entry;
    // PATH:ENTRYPOINT, where the entry point is a C name (no slash): Datasette's syntax.
    size_t colon = spec.rfind(':');
    if (colon != std::string::npos && spec.find('/', colon) == std::string::npos &&
        colon + 1 < spec.size()) {
      path = spec.substr(0, colon);
      entry = spec.substr(colon + 1);
    }
    sqlite3* db = conn.handle();
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, nullptr);
    char* error = nullptr;
    int rc =
        sqlite3_load_extension(db, path.c_str(), entry.empty() ? nullptr : entry.c_str(), &error);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
    if (rc != SQLITE_OK) {
      std::string message =
          "could not load extension " + spec + ": " + (error ? error : sqlite3_errstr(rc));
      sqlite3_free(error);
      return InvalidArgument(message);
    }
  }
  return Status::Ok();
}

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
  ALM_RETURN_IF_ERROR(LoadExtensions(*db->writer_, o.extensions));
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

const std::optional<std::string>& Database::ContentHash() {
  std::call_once(hash_once_, [this] {
    if (options_.immutable && !options_.memory) hash_ = Sha256FileHex(options_.path);
  });
  return hash_;
}

std::optional<int64_t> Database::InspectedCount(const std::string& table) const {
  if (!options_.immutable) return std::nullopt;
  auto found = options_.inspected_counts.find(table);
  if (found == options_.inspected_counts.end()) return std::nullopt;
  return found->second;
}

Result<std::unique_ptr<Connection>> Database::OpenReadOnly(bool memory_map) const {
  OpenOptions read{options_.path,   true,  options_.immutable,
                   options_.memory, false, options_.cache_size_kb};
  ALM_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(read));
  ALM_RETURN_IF_ERROR(LoadExtensions(*conn, options_.extensions));
  std::vector<DatabaseOptions::Attached> attach = options_.attach;
  {
    std::lock_guard lock(attach_mutex_);
    attach.insert(attach.end(), reader_attachments_.begin(), reader_attachments_.end());
  }
  for (const DatabaseOptions::Attached& other : attach) {
    std::string uri = FileUri(other.path) + (other.immutable ? "?immutable=1" : "?mode=ro");
    ALM_RETURN_IF_ERROR(
        conn->Exec("ATTACH DATABASE " + Quote(uri, '\'') + " AS " + Quote(other.name, '"')));
  }
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

std::unordered_map<uint64_t, Database::ThreadReader>& Database::ThreadReaders() {
  thread_local std::unordered_map<uint64_t, ThreadReader> readers;
  return readers;
}

void Database::CloseThreadReaders() { ThreadReaders().clear(); }

void Database::AttachToReaders(std::string name, std::string path) {
  {
    std::lock_guard lock(attach_mutex_);
    reader_attachments_.push_back({std::move(name), std::move(path), false});
  }
  ++attachments_version_;
}

Result<Connection*> Database::ReadConnection() {
  ThreadReader& reader = ThreadReaders()[id_];
  // Opened before an attachment was added, and not in a request's transaction: again.
  uint64_t attachments = attachments_version_.load();
  if (reader.conn && reader.attached_version != attachments &&
      sqlite3_get_autocommit(reader.conn->handle()) != 0) {
    reader.conn.reset();
  }
  if (!reader.conn) {
    ALM_ASSIGN_OR_RETURN(reader.conn, OpenReadOnly(true));
    reader.attached_version = attachments;
  }
  Connection* conn = reader.conn.get();
  // A file's readers share one transaction per request (read_transaction.h); memory and
  // immutable databases take no file locks to save. The request's change generation is
  // settled as its transaction begins, so that it names exactly the data the request reads.
  if (!options_.memory && !options_.immutable && RequestReadTransaction::Enlist(*conn)) {
    RequestReadTransaction::RecordGeneration(*conn, SnapshotGeneration(reader));
  }
  return conn;
}

Result<std::optional<uint64_t>> Database::SnapshotGeneration(ThreadReader& reader) {
  Connection& conn = *reader.conn;
  ALM_ASSIGN_OR_RETURN(unsigned int version, StartSnapshot(conn));
  // Nothing committed since this connection last looked: the same data, the same name, and
  // no second file lock for the monitor (the common case: one lock per request).
  if (reader.seen_data_version == version) return std::optional<uint64_t>(reader.seen_generation);
  // The file changed (or this connection never looked): take the monitor's generation, read
  // before a fresh snapshot begins, as a generation must never name newer data than a request
  // reads. The transaction has read nothing for the request yet, so it may start again.
  reader.seen_data_version.reset();
  ALM_ASSIGN_OR_RETURN(std::optional<uint64_t> before, MonitorGeneration());
  if (!RequestReadTransaction::Restart(conn)) return before;
  ALM_ASSIGN_OR_RETURN(unsigned int fresh, StartSnapshot(conn));
  // Kept for the next requests only when nothing committed between the generation's read and
  // the snapshot: then it names exactly this data until the data version moves again.
  ALM_ASSIGN_OR_RETURN(std::optional<uint64_t> after, MonitorGeneration());
  if (before && after == before) {
    reader.seen_data_version = fresh;
    reader.seen_generation = *before;
  }
  return before;
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
  // Inside a request: the generation of its snapshot (enlisting this thread's connection now
  // if nothing read this database yet), so that the request reads it once.
  if (RequestReadTransaction::Active()) {
    ALM_ASSIGN_OR_RETURN(Connection * conn, ReadConnection());
    if (const auto* recorded = RequestReadTransaction::Generation(*conn)) return *recorded;
  }
  return MonitorGeneration();
}

Result<std::optional<uint64_t>> Database::MonitorGeneration() {
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
