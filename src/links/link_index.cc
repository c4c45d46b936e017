#include "links/link_index.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "changes/change_event.h"
#include "changes/change_log.h"

namespace almanac::links {
namespace {

// The key of a definition's kind: (source table, column label, target table).
using KindKey = std::tuple<std::string, std::string, std::string>;

KindKey KeyOf(const LinkDef& def) { return {def.source_table, def.label, def.target_table}; }

std::map<KindKey, int64_t> KindIds(const std::vector<Kind>& kinds) {
  std::map<KindKey, int64_t> ids;
  for (const Kind& kind : kinds) {
    ids.emplace(KindKey{kind.source_table, kind.source_column, kind.target_table}, kind.id);
  }
  return ids;
}

// The links one row makes under `defs` (kind ids beside them), appended to `out`.
template <typename DefT>
void RowEntries(const std::vector<DefT>& defs, const std::vector<Value>& values, const StoredPk& pk,
                std::vector<Entry>& out) {
  std::vector<std::string> keys;
  for (const DefT& d : defs) {
    if (d.def.column_index >= values.size()) continue;
    keys.clear();
    TargetKeys(d.def, values[d.def.column_index], keys);
    for (std::string& key : keys) out.push_back(Entry{d.kind, std::move(key), pk});
  }
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct ScanDef {
  LinkDef def;
  int64_t kind = 0;
};

// Calls `emit` for every link the rows of `table` make under `defs`.
template <typename Emit>
Status ScanTable(db::Connection& conn, const db::TableInfo& table, const std::vector<ScanDef>& defs,
                 Emit emit) {
  if (defs.empty()) return Status::Ok();
  // Only the key and link columns are read.
  bool rowid = table.primary_keys.empty();
  std::vector<size_t> wanted;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    bool needed = std::find(table.primary_keys.begin(), table.primary_keys.end(),
                            table.columns[i].name) != table.primary_keys.end();
    for (const ScanDef& d : defs) needed = needed || d.def.column_index == i;
    if (needed) wanted.push_back(i);
  }
  std::string sql = "SELECT ";
  sql += rowid ? "rowid" : "NULL";
  for (size_t i : wanted) {
    sql += ", " + sql::Identifier::FromSchema(table.columns[i].name).Quoted();
  }
  sql += " FROM " + sql::Identifier::FromSchema(table.name).Quoted();
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare({sql, {}}));
  // One integer key (or the rowid) is stored as that integer, without making JSON.
  std::optional<size_t> int_key;
  if (table.primary_keys.size() == 1) {
    for (size_t i = 0; i < table.columns.size(); ++i) {
      if (table.columns[i].name == table.primary_keys[0]) int_key = i;
    }
  }
  std::vector<Value> values(table.columns.size());
  std::vector<Entry> entries;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    for (size_t w = 0; w < wanted.size(); ++w) {
      values[wanted[w]] = stmt.Column(static_cast<int>(w) + 1);
    }
    StoredPk pk;
    if (rowid) {
      pk.is_int = true;
      pk.integer = stmt.ColumnInt(0);
    } else if (int_key && values[*int_key].type() == Value::Type::kInteger) {
      pk.is_int = true;
      pk.integer = values[*int_key].integer();
    } else {
      pk = StoredPk::FromJson(changes::KeyJson(&table, values, 0));
    }
    entries.clear();
    RowEntries(defs, values, pk, entries);
    for (Entry& entry : entries) ALM_RETURN_IF_ERROR(emit(std::move(entry)));
  }
  return Status::Ok();
}

// The fingerprint stored for a source table: its definitions, and its root page, which changes
// when the table is dropped and made again under the same name (a rename keeps it).
std::string StateOf(const std::vector<LinkDef>& defs, int64_t rootpage) {
  return Fingerprint(defs) + "\x1d" + std::to_string(rootpage);
}

Result<std::map<std::string, int64_t>> RootPages(db::Connection& conn) {
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"SELECT name, rootpage FROM sqlite_master WHERE type = 'table'", {}}));
  std::map<std::string, int64_t> pages;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    pages.emplace(std::string(stmt.ColumnText(0)), stmt.ColumnInt(1));
  }
  return pages;
}

// Replaces the index of one source table (none when `defs` is empty) and its stored
// fingerprint; `table` may be null (the table is gone). Returns the links written.
Result<int64_t> RebuildSource(db::Connection& conn, const std::string& name,
                              const db::TableInfo* table, const std::vector<LinkDef>& defs,
                              int64_t rootpage) {
  ALM_RETURN_IF_ERROR(DropSource(conn, name));
  if (!table || defs.empty()) return int64_t{0};
  std::vector<ScanDef> scan;
  std::map<KindKey, int64_t> ids;
  for (const LinkDef& def : defs) {
    auto [at, added] = ids.emplace(KeyOf(def), 0);
    if (added) {
      ALM_ASSIGN_OR_RETURN(at->second, AddKind(conn, name, def.label, def.target_table));
    }
    scan.push_back(ScanDef{def, at->second});
  }
  // A table keyed by its rowid: plain columns are built by SQLite itself (BuildPlainKind);
  // JSON paths and other keys by a scan here.
  bool rowid_key = table->primary_keys.empty();
  std::string key_sql = "rowid";
  if (!table->without_rowid && table->primary_keys.size() == 1) {
    const db::ColumnInfo* column = table->FindColumn(table->primary_keys[0]);
    std::string type = column ? column->type : std::string();
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (type == "integer") {  // INTEGER PRIMARY KEY: the rowid under another name
      rowid_key = true;
      key_sql = sql::Identifier::FromSchema(column->name).Quoted();
    }
  }
  int64_t written = 0;
  std::set<int64_t> built;
  std::vector<ScanDef> rest;
  for (ScanDef& d : scan) {
    if (!rowid_key || !d.def.steps.empty()) {
      rest.push_back(std::move(d));
    } else if (built.insert(d.kind).second) {
      ALM_ASSIGN_OR_RETURN(
          int64_t made,
          BuildPlainKind(conn, d.kind, sql::Identifier::FromSchema(table->name).Quoted(),
                         sql::Identifier::FromSchema(d.def.column).Quoted(), key_sql));
      written += made;
    }
  }
  BulkWriter writer(conn);
  ALM_RETURN_IF_ERROR(
      ScanTable(conn, *table, rest, [&](Entry entry) { return writer.Add(std::move(entry)); }));
  ALM_RETURN_IF_ERROR(writer.Flush());
  ALM_ASSIGN_OR_RETURN(db::Statement state,
                       conn.Prepare({"INSERT INTO _almanac_links_state (source_table, fingerprint) "
                                     "VALUES (?, ?)",
                                     {Value::Text(name), Value::Text(StateOf(defs, rootpage))}}));
  ALM_RETURN_IF_ERROR(state.Step().status());
  return written + writer.written();
}

Result<std::map<std::string, std::string>> StoredFingerprints(db::Connection& conn) {
  std::map<std::string, std::string> stored;
  ALM_ASSIGN_OR_RETURN(
      db::Statement stmt,
      conn.Prepare({"SELECT source_table, fingerprint FROM _almanac_links_state", {}}));
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    stored.emplace(std::string(stmt.ColumnText(0)), std::string(stmt.ColumnText(1)));
  }
  return stored;
}

}  // namespace

Result<int64_t> RebuildAll(db::Connection& conn, const db::Schema& schema,
                           const LinkOptions& options) {
  ALM_RETURN_IF_ERROR(CreateLinkTables(conn));
  ALM_RETURN_IF_ERROR(
      conn.Exec("DELETE FROM _almanac_links; DELETE FROM _almanac_link_counts; "
                "DELETE FROM _almanac_link_kinds; DELETE FROM _almanac_links_state; "
                "DELETE FROM _almanac_link_pending"));
  ALM_ASSIGN_OR_RETURN(auto pages, RootPages(conn));
  int64_t total = 0;
  for (const db::TableInfo& table : schema.tables()) {
    std::vector<LinkDef> defs = DefsForTable(table, options);
    if (defs.empty()) continue;
    ALM_ASSIGN_OR_RETURN(int64_t written,
                         RebuildSource(conn, table.name, &table, defs, pages[table.name]));
    total += written;
  }
  return total;
}

namespace {

Result<VerifyReport> VerifyNow(db::Connection& conn, const db::Schema& schema,
                               const LinkOptions& options) {
  VerifyReport report;
  ALM_ASSIGN_OR_RETURN(std::vector<Kind> kinds, LoadKinds(conn));
  std::map<KindKey, int64_t> ids = KindIds(kinds);
  std::map<int64_t, std::string> names;  // kind -> "source.column -> target"
  for (const Kind& kind : kinds) {
    names[kind.id] = kind.source_table + "." + kind.source_column + " -> " + kind.target_table;
  }
  std::set<int64_t> checked;  // kinds compared with some table's rows
  int64_t unknown = 0;        // definitions without a kind: ids below zero
  auto describe = [&](const char* what, const Entry& e) {
    return std::string(what) + ": " + names[e.kind] + " " + e.source_pk.ToJson() + " -> " +
           e.target_key;
  };
  auto compare = [&](std::vector<Entry>& expected, std::vector<Entry>& indexed) {
    std::sort(expected.begin(), expected.end());
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    report.expected += static_cast<int64_t>(expected.size());
    report.indexed += static_cast<int64_t>(indexed.size());
    std::vector<Entry> diff;
    std::set_difference(expected.begin(), expected.end(), indexed.begin(), indexed.end(),
                        std::back_inserter(diff));
    report.missing += static_cast<int64_t>(diff.size());
    for (size_t i = 0; i < diff.size() && report.examples.size() < 5; ++i) {
      report.examples.push_back(describe("missing", diff[i]));
    }
    diff.clear();
    std::set_difference(indexed.begin(), indexed.end(), expected.begin(), expected.end(),
                        std::back_inserter(diff));
    report.extra += static_cast<int64_t>(diff.size());
    for (size_t i = 0; i < diff.size() && report.examples.size() < 10; ++i) {
      report.examples.push_back(describe("extra", diff[i]));
    }
  };
  // A file indexed before the pending table existed, verified before it was served again.
  ALM_ASSIGN_OR_RETURN(db::Statement exists,
                       conn.Prepare({"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                                     "'_almanac_link_pending'",
                                     {}}));
  ALM_ASSIGN_OR_RETURN(bool has_pending, exists.Step());
  exists = db::Statement();
  // The kind's links as the index and its pending changes say (sorted). A pending change that
  // adds a link the index has, or removes one it lacks, is a wrong count.
  auto indexed_of = [&](int64_t kind, std::vector<Entry>& out) -> Status {
    if (kind < 0) return Status::Ok();
    LinkChanges pending;
    if (has_pending) {
      ALM_ASSIGN_OR_RETURN(pending, PendingForKind(conn, kind));
    }
    ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                         conn.Prepare({"SELECT target_key, source_pk FROM _almanac_links WHERE "
                                       "kind = ? ORDER BY target_key, source_pk",
                                       {Value::Integer(kind)}}));
    std::vector<Entry> stored;
    for (;;) {
      ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      stored.push_back(Entry{kind, std::string(stmt.ColumnText(0)), StoredPk::FromColumn(stmt, 1)});
    }
    auto next = pending.begin();
    auto bad_pending = [&](const Entry& entry, int delta) {
      ++report.bad_counts;
      if (report.examples.size() < 15) {
        report.examples.push_back(describe(delta > 0 ? "pending addition of a link indexed"
                                                     : "pending removal of a link not indexed",
                                           entry) +
                                  " (" + std::to_string(delta) + ")");
      }
    };
    auto take_pending_before = [&](const Entry* entry) {
      for (; next != pending.end() && (!entry || next->entry < *entry); ++next) {
        if (next->delta == 1) {
          out.push_back(next->entry);
        } else {
          bad_pending(next->entry, next->delta);
        }
      }
    };
    for (Entry& entry : stored) {
      take_pending_before(&entry);
      if (next != pending.end() && next->entry == entry) {
        int delta = (next++)->delta;
        if (delta != -1) bad_pending(entry, delta);
        if (delta >= 0) out.push_back(std::move(entry));
        continue;
      }
      out.push_back(std::move(entry));
    }
    take_pending_before(nullptr);
    return Status::Ok();
  };
  // Table by table, so that only one table's links are in memory at a time.
  for (const db::TableInfo& table : schema.tables()) {
    std::vector<LinkDef> defs = DefsForTable(table, options);
    if (defs.empty()) continue;
    std::vector<ScanDef> scan;
    std::set<int64_t> table_kinds;
    for (const LinkDef& def : defs) {
      auto found = ids.find(KeyOf(def));
      int64_t kind = found != ids.end() ? found->second : -(++unknown);
      if (kind < 0) ids.emplace(KeyOf(def), kind);
      if (kind < 0) names[kind] = def.source_table + "." + def.label + " -> " + def.target_table;
      scan.push_back(ScanDef{def, kind});
      table_kinds.insert(kind);
    }
    std::vector<Entry> expected;
    ALM_RETURN_IF_ERROR(ScanTable(conn, table, scan, [&](Entry entry) {
      expected.push_back(std::move(entry));
      return Status::Ok();
    }));
    std::vector<Entry> indexed;
    for (int64_t kind : table_kinds) ALM_RETURN_IF_ERROR(indexed_of(kind, indexed));
    checked.insert(table_kinds.begin(), table_kinds.end());
    compare(expected, indexed);
  }
  // Kinds no definition has any more: all their links are extra.
  for (const Kind& kind : kinds) {
    if (checked.count(kind.id)) continue;
    std::vector<Entry> expected;
    std::vector<Entry> indexed;
    ALM_RETURN_IF_ERROR(indexed_of(kind.id, indexed));
    compare(expected, indexed);
  }
  // The counters against the links actually indexed.
  ALM_ASSIGN_OR_RETURN(
      db::Statement counts,
      conn.Prepare({"SELECT c.kind, c.target_key, c.n, (SELECT count(*) FROM _almanac_links l "
                    "WHERE l.kind = c.kind AND l.target_key = c.target_key) FROM "
                    "_almanac_link_counts c UNION ALL SELECT kind, target_key, 0, count(*) FROM "
                    "_almanac_links l WHERE NOT EXISTS (SELECT 1 FROM _almanac_link_counts c "
                    "WHERE l.kind = c.kind AND l.target_key = c.target_key) GROUP BY 1, 2",
                    {}}));
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, counts.Step());
    if (!row) break;
    if (counts.ColumnInt(2) == counts.ColumnInt(3)) continue;
    ++report.bad_counts;
    if (report.examples.size() < 15) {
      report.examples.push_back("count of " + names[counts.ColumnInt(0)] + "/" +
                                std::string(counts.ColumnText(1)) + " is " +
                                std::to_string(counts.ColumnInt(2)) + ", links " +
                                std::to_string(counts.ColumnInt(3)));
    }
  }
  return report;
}

}  // namespace

Result<VerifyReport> Verify(db::Connection& conn, const db::Schema& schema,
                            const LinkOptions& options) {
  // One snapshot for all the reads (rows, index, pending changes), when the connection is not
  // in a transaction already: a server may be writing the file meanwhile.
  bool began = sqlite3_get_autocommit(conn.handle()) != 0 && conn.Exec("BEGIN").ok();
  Result<VerifyReport> report = VerifyNow(conn, schema, options);
  if (began) (void)conn.Exec("COMMIT");
  return report;
}

Result<std::unique_ptr<LinkIndex>> LinkIndex::Open(db::Database& db, LinkOptions options) {
  if (!db.write_queue() || db.is_memory()) {
    return InvalidArgument("The links index needs a writable database file, and " + db.name() +
                           " is not one");
  }
  std::unique_ptr<LinkIndex> index(new LinkIndex(db, std::move(options)));
  LinkIndex* self = index.get();
  Status opened = db.write_queue()->Run([self](db::WriteContext& ctx) -> Status {
    ALM_RETURN_IF_ERROR(CreateLinkTables(ctx.conn()));
    ALM_ASSIGN_OR_RETURN(self->pending_rows_, CountPending(ctx.conn()));
    return self->Reconcile(ctx, false);
  });
  if (!opened.ok()) return opened;
  index->reconciled_uncommitted_ = false;  // Run returned: committed
  if (index->options_.merge_when_idle_ms > 0) {
    index->idle_thread_ = std::thread([self] { self->IdleLoop(); });
  }
  return index;
}

Status LinkIndex::Reconcile(db::WriteContext& ctx, bool everything) {
  ALM_ASSIGN_OR_RETURN(std::shared_ptr<const db::Schema> schema, ctx.CurrentSchema());
  ALM_ASSIGN_OR_RETURN(auto stored, StoredFingerprints(ctx.conn()));
  ALM_ASSIGN_OR_RETURN(auto pages, RootPages(ctx.conn()));
  for (const db::TableInfo& table : schema->tables()) {
    std::vector<LinkDef> defs = DefsForTable(table, options_);
    std::string state = StateOf(defs, pages[table.name]);
    auto found = stored.find(table.name);
    bool known = found != stored.end();
    bool same = known ? found->second == state : defs.empty();
    if (known) stored.erase(found);
    if (!everything && same && !stale_tables_.count(table.name)) continue;
    ALM_RETURN_IF_ERROR(
        RebuildSource(ctx.conn(), table.name, &table, defs, pages[table.name]).status());
  }
  // Tables gone (dropped, or renamed: the new name was rebuilt above).
  for (const auto& [name, fingerprint] : stored) {
    (void)fingerprint;
    ALM_RETURN_IF_ERROR(DropSource(ctx.conn(), name));
  }
  // After the rebuilds: they may not change the schema, but read it again to be sure.
  ALM_ASSIGN_OR_RETURN(schema, ctx.CurrentSchema());
  ALM_ASSIGN_OR_RETURN(std::vector<Kind> kinds, LoadKinds(ctx.conn()));
  std::map<KindKey, int64_t> ids = KindIds(kinds);
  defs_.clear();
  columns_.clear();
  for (const db::TableInfo& table : schema->tables()) {
    for (LinkDef& def : DefsForTable(table, options_)) {
      auto found = ids.find(KeyOf(def));
      if (found == ids.end()) continue;  // not possible after the rebuilds above
      std::vector<bool>& columns = columns_[table.name];
      if (columns.empty()) {
        columns.resize(table.columns.size());
        for (size_t i = 0; i < table.columns.size(); ++i) {
          columns[i] = std::find(table.primary_keys.begin(), table.primary_keys.end(),
                                 table.columns[i].name) != table.primary_keys.end();
        }
      }
      if (def.column_index < columns.size()) columns[def.column_index] = true;
      defs_[table.name].push_back(Def{std::move(def), found->second});
    }
  }
  last_wanted_ = nullptr;
  checked_version_ = schema->version();
  reconciled_uncommitted_ = true;
  defs_stale_ = false;
  stale_tables_.clear();
  return Status::Ok();
}

bool LinkIndex::Wants(std::string_view table, const std::vector<bool>*& columns) {
  // Tables without definitions are not read; one that gains some in this job is rebuilt from
  // its rows at the end of it (AfterJob). With stale definitions, every change is noted.
  if (defs_stale_) return true;
  if (last_wanted_ && last_wanted_->first == table) {
    columns = &last_wanted_->second;
    return true;
  }
  auto found = columns_.find(std::string(table));
  if (found == columns_.end()) return false;
  last_wanted_ = &*found;
  columns = &found->second;
  return true;
}

Status LinkIndex::OnRowChange(db::Connection& conn, const changes::RowChange& change) {
  (void)conn;  // written at the end of the job (FlushJob)
  if (!change.info) return Status::Ok();
  // The definitions of the version last reconciled: when this job changed the schema,
  // AfterJob rebuilds the tables whose definitions changed.
  if (defs_stale_) {
    stale_tables_.insert(change.table);
    return Status::Ok();
  }
  auto found = defs_.find(change.table);
  if (found == defs_.end()) return Status::Ok();
  const std::vector<Def>& defs = found->second;
  before_.clear();
  after_.clear();
  if (!change.old_values.empty()) {
    RowEntries(defs, change.old_values, StoredPk::FromJson(change.old_key), before_);
  }
  if (!change.new_values.empty()) {
    RowEntries(defs, change.new_values, StoredPk::FromJson(change.new_key), after_);
  }
  for (std::vector<Entry>* entries : {&before_, &after_}) {
    std::sort(entries->begin(), entries->end());
    entries->erase(std::unique(entries->begin(), entries->end()), entries->end());
  }
  // Links both before and after stay (same key, same targets): nothing to write.
  auto b = before_.begin();
  auto a = after_.begin();
  while (b != before_.end() || a != after_.end()) {
    if (a == after_.end() || (b != before_.end() && *b < *a)) {
      job_links_.push_back(LinkChange{std::move(*b++), -1});
    } else if (b == before_.end() || *a < *b) {
      job_links_.push_back(LinkChange{std::move(*a++), 1});
    } else {
      ++a;
      ++b;
    }
  }
  return Status::Ok();
}

Status LinkIndex::FlushJob(db::Connection& conn) {
  if (job_links_.empty()) return Status::Ok();
  // Netted in place, and cleared afterwards: the vector keeps its capacity for the next job.
  LinkChanges& links = job_links_;
  NetChanges(links);
  if (links.empty()) return Status::Ok();
  if (links.size() < options_.merge_every) {
    Result<int64_t> appended = AppendPending(conn, links);
    links.clear();
    if (!appended.ok()) return appended.status();
    pending_rows_ += *appended;
    return Status::Ok();
  }
  // Many changes: the index's pages are written in key order anyway. What waits is merged
  // first, so that no pending change undoes one written here.
  Status merged = Merge(conn);
  if (merged.ok()) {
    changes::ChangeLog::CaptureOff off(conn);
    merged = ApplyToIndex(conn, links);
  }
  links.clear();
  return merged;
}

Status LinkIndex::Merge(db::Connection& conn) {
  changes::ChangeLog::CaptureOff off(conn);
  ALM_RETURN_IF_ERROR(MergePending(conn).status());
  pending_rows_ = 0;  // the table is empty now (a rollback leaves the count low: harmless)
  return Status::Ok();
}

void LinkIndex::OnCommitted() {
  reconciled_uncommitted_ = false;
  last_commit_ms_ = SteadyMs();
  // After this commit, in a write of its own: the write that filled the table is answered
  // without waiting for the merge.
  if (pending_rows_ > 0 && pending_rows_ >= static_cast<int64_t>(options_.merge_every)) {
    QueueMerge();
  }
}

void LinkIndex::QueueMerge() {
  if (merge_queued_.exchange(true)) return;
  db_.write_queue()->Submit([this](db::WriteContext& ctx) { return Merge(ctx.conn()); },
                            [this](const Status& status) {
                              merge_queued_ = false;
                              if (!status.ok()) {
                                spdlog::warn("links of {}: merging the pending changes: {}",
                                             db_.name(), status.message());
                              }
                            });
}

void LinkIndex::IdleLoop() {
  const int64_t idle = options_.merge_when_idle_ms;
  std::unique_lock lock(idle_mutex_);
  while (!stopping_) {
    int64_t quiet = SteadyMs() - last_commit_ms_;
    int64_t wait = pending_rows_ > 0 && quiet < idle ? idle - quiet : idle;
    idle_wakeup_.wait_for(lock, std::chrono::milliseconds(wait), [this] { return stopping_; });
    if (stopping_) break;
    if (pending_rows_ > 0 && SteadyMs() - last_commit_ms_ >= idle) QueueMerge();
  }
}

Status LinkIndex::MergeNow() {
  return db_.write_queue()->Run([this](db::WriteContext& ctx) { return Merge(ctx.conn()); });
}

LinkIndex::~LinkIndex() {
  {
    std::lock_guard lock(idle_mutex_);
    stopping_ = true;
  }
  idle_wakeup_.notify_all();
  if (idle_thread_.joinable()) idle_thread_.join();
  if (merge_queued_ && db_.write_queue() && !db_.write_queue()->OnWriterThread()) {
    (void)db_.write_queue()->Run([](db::WriteContext&) { return Status::Ok(); });
  }
}

Status LinkIndex::AfterJob(db::WriteContext& ctx) {
  ALM_RETURN_IF_ERROR(FlushJob(ctx.conn()));
  ALM_ASSIGN_OR_RETURN(std::shared_ptr<const db::Schema> schema, ctx.CurrentSchema());
  if (schema->version() == checked_version_ && !defs_stale_) return Status::Ok();
  return Reconcile(ctx, false);
}

Status LinkIndex::OnResync(db::WriteContext& ctx) { return Reconcile(ctx, true); }

void LinkIndex::OnRolledBack() {
  job_links_.clear();
  if (reconciled_uncommitted_) {
    // The kinds it made are gone: reconcile again at the end of the next job, and rebuild the
    // tables that job changes.
    defs_stale_ = true;
    reconciled_uncommitted_ = false;
  }
}

}  // namespace almanac::links
