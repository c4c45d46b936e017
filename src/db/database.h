// Database: one attached SQLite file (or named in-memory database) and its connections:
// a read-only connection per thread that reads (the I/O threads that handle requests and the
// SQL threads that fan work out), opened lazily, and one writer connection
// (WAL mode unless immutable). Registry: the databases of an instance, in order.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "db/connection.h"
#include "db/query_cache.h"
#include "db/schema.h"
#include "db/write_queue.h"

namespace almanac::db {

struct DatabaseOptions {
  std::string name;        // URL name ("fixtures", "extra database")
  std::string path;        // file path; for memory databases, the shared-cache name
  bool immutable = false;  // -i: opened with immutable=1, never written
  bool memory = false;     // in-memory (--memory gives one named "_memory")
  bool create = false;     // create the file if it does not exist
  int64_t cache_size_kb = 0;
  // --load-extension: "PATH" or "PATH:ENTRYPOINT", loaded into every connection through the C
  // API only (the SQL function load_extension() stays disabled).
  std::vector<std::string> extensions;
  // --crossdb: databases attached read-only, under their names, to every read connection of
  // this (the _memory) database, so that one query can join across them.
  struct Attached {
    std::string name;
    std::string path;
    bool immutable = false;
  };
  std::vector<Attached> attach;
  // --inspect-file: row counts of an immutable database's tables, precomputed by `almanac
  // inspect` (Datasette's inspect data), used instead of counting.
  std::map<std::string, int64_t> inspected_counts;
};

class Database {
 public:
  // Opens the writer connection (creating the file when asked) and switches a mutable file
  // database to WAL mode.
  static Result<std::unique_ptr<Database>> Open(DatabaseOptions options);
  ~Database();

  const std::string& name() const { return options_.name; }
  const std::string& path() const { return options_.path; }
  bool is_mutable() const { return !options_.immutable; }
  bool is_memory() const { return options_.memory; }
  // Current file size in bytes (0 for memory databases).
  int64_t FileSize() const;
  // Datasette's db.hash: the SHA-256 (hex) of an immutable database's file, computed on first
  // use and kept (the file cannot change); nullopt for mutable and memory databases, or when
  // the file cannot be read.
  const std::optional<std::string>& ContentHash();
  // The row count of `table` precomputed by --inspect-file (immutable databases), or nullopt.
  std::optional<int64_t> InspectedCount(const std::string& table) const;

  // Attaches `path` (read-only) as `name` to every read connection opened from now on; a
  // thread's connection opened before is opened again at its next use outside a transaction.
  // (The links index's side file, links/link_store.h.)
  void AttachToReaders(std::string name, std::string path);
  // This thread's read-only connection, opened on first use.
  Result<Connection*> ReadConnection();
  // Closes every read connection of the calling thread (of all databases; each opens again on
  // its next use): what a thread that went idle gives back. Not inside a request.
  static void CloseThreadReaders();
  // A new read-only connection owned by the caller, for work that outlives one task on one
  // thread (a streamed CSV body stepped from successive pool tasks). Never shared.
  Result<std::unique_ptr<Connection>> OpenStreamingConnection() const;
  // The current schema, reloaded through `conn` when PRAGMA schema_version has moved.
  Result<std::shared_ptr<const Schema>> CurrentSchema(Connection& conn);

  // The single writer connection. Only the database's write queue may use it.
  Connection& writer() { return *writer_; }
  // The queue every write goes through; nullptr for immutable databases.
  WriteQueue* write_queue() { return write_queue_.get(); }

  // A number that changes whenever this database's data may have changed: a commit through any
  // connection, in this process or another. Kept by one long-lived monitor connection whose
  // PRAGMA data_version moves whenever any other connection commits. Inside a request
  // (read_transaction.h) it names the request's snapshot, and a thread's connection reuses the
  // number it was given while its file's data version has not moved, so that a request takes
  // the file lock once, not again for the monitor. nullopt when changes cannot be detected
  // this way (shared-cache memory databases): don't cache.
  Result<std::optional<uint64_t>> ChangeGeneration();
  // Cached results of expensive queries, keyed by ChangeGeneration.
  QueryCache& cache() { return cache_; }

 private:
  // This thread's read connection of one database, and what it last saw of the file: its
  // data version and the generation that named the data then.
  struct ThreadReader {
    std::unique_ptr<Connection> conn;
    std::optional<unsigned int> seen_data_version;
    uint64_t seen_generation = 0;
    uint64_t attached_version = 0;  // of the reader attachments it was opened with
  };
  // This thread's readers, by database id.
  static std::unordered_map<uint64_t, ThreadReader>& ThreadReaders();

  explicit Database(DatabaseOptions options);
  Result<std::unique_ptr<Connection>> OpenReadOnly(bool memory_map) const;
  // Begins the snapshot of `reader`'s newly enlisted transaction and names it.
  Result<std::optional<uint64_t>> SnapshotGeneration(ThreadReader& reader);
  // The generation as the monitor connection sees the file now.
  Result<std::optional<uint64_t>> MonitorGeneration();

  DatabaseOptions options_;
  uint64_t id_;
  std::unique_ptr<Connection> writer_;
  // Declared after writer_: destroyed (drained and joined) before the connection closes.
  std::unique_ptr<WriteQueue> write_queue_;
  // Keeps shared-cache memory databases alive while the server runs.
  std::unique_ptr<Connection> memory_anchor_;
  mutable std::mutex attach_mutex_;
  std::vector<DatabaseOptions::Attached> reader_attachments_;  // AttachToReaders
  std::atomic<uint64_t> attachments_version_{0};
  std::mutex schema_mutex_;
  std::shared_ptr<const Schema> schema_;
  std::mutex generation_mutex_;
  std::unique_ptr<Connection> monitor_;  // opened on first use; only under generation_mutex_
  int64_t monitor_data_version_ = -1;
  uint64_t generation_ = 0;
  QueryCache cache_{512, 4'000'000};
  std::once_flag hash_once_;
  std::optional<std::string> hash_;
};

class Registry {
 public:
  Status Add(std::unique_ptr<Database> db);
  // By URL name; nullptr when unknown.
  Database* Find(std::string_view name) const;
  const std::vector<std::unique_ptr<Database>>& all() const { return databases_; }

  // A name for a new database from a file path: its stem, made unique with _2, _3...
  std::string UniqueNameFor(std::string_view path) const;

 private:
  std::vector<std::unique_ptr<Database>> databases_;
};

}  // namespace almanac::db
