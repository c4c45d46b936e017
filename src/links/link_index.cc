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
#include "links/link_build.h"

namespace almanac::links {
namespace {

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

// Replaces the kinds of one source table (none when `defs` is empty) and its stored
// fingerprint, in the database file; the ids of the kinds dropped and made are added to
// `reset` (the merges build their links). `table` may be null (the table is gone).
Status ReplaceSourceKinds(db::Connection& conn, const std::string& name, const db::TableInfo* table,
                          const std::vector<LinkDef>& defs, int64_t rootpage,
                          std::vector<int64_t>& reset) {
  ALM_ASSIGN_OR_RETURN(std::vector<int64_t> dropped, DropSourceKinds(conn, name));
  reset.insert(reset.end(), dropped.begin(), dropped.end());
  if (!table || defs.empty()) return Status::Ok();
  std::set<KindKey> made;
  for (const LinkDef& def : defs) {
    if (!made.insert(KeyOf(def)).second) continue;
    ALM_ASSIGN_OR_RETURN(int64_t kind, AddKind(conn, name, def.label, def.target_table));
    reset.push_back(kind);
  }
  ALM_ASSIGN_OR_RETURN(db::Statement state,
                       conn.Prepare({"INSERT INTO _almanac_links_state (source_table, fingerprint) "
                                     "VALUES (?, ?)",
                                     {Value::Text(name), Value::Text(StateOf(defs, rootpage))}}));
  return state.Step().status();
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
  // The pending rows after the side file's seq are not merged yet (a file of an earlier
  // layout, with the index in the file itself, merged by deleting them: all are pending).
  ALM_ASSIGN_OR_RETURN(
      db::Statement in_file,
      conn.Prepare({"SELECT 1 FROM main.sqlite_master WHERE name = '_almanac_links'", {}}));
  ALM_ASSIGN_OR_RETURN(bool index_in_file, in_file.Step());
  in_file = db::Statement();
  int64_t through = 0;
  std::set<int64_t> reset;  // kinds waiting for a rebuild: not compared
  if (!index_in_file) {
    ALM_ASSIGN_OR_RETURN(SideState side, ReadSideState(conn));
    ALM_ASSIGN_OR_RETURN(db::Statement id,
                         conn.Prepare({"SELECT id FROM main._almanac_links_id LIMIT 1", {}}));
    ALM_ASSIGN_OR_RETURN(bool has_id, id.Step());
    std::string main_id = has_id ? std::string(id.ColumnText(0)) : std::string();
    id = db::Statement();
    ALM_ASSIGN_OR_RETURN(PendingSpan span, PendingSpanAfter(conn, side.through));
    if (!SideMatches(side, main_id, span)) {
      report.stale = true;
      report.examples.push_back(
          "the index file does not belong to this database or misses some of its changes (it "
          "is rebuilt when the database is served with links on)");
      return report;
    }
    through = side.through;
    if (has_pending) {
      ALM_ASSIGN_OR_RETURN(PendingRead markers, PendingForKind(conn, through, -1));
      reset = std::move(markers.reset);
    }
  }
  for (int64_t kind : reset) {
    if (!names.count(kind)) continue;
    ++report.rebuilds_pending;
    report.examples.push_back("not compared: " + names[kind] +
                              " (its links are being built again)");
  }
  // The kind's links as the index and its pending changes say (sorted). A pending change that
  // adds a link the index has, or removes one it lacks, is a wrong count.
  auto indexed_of = [&](int64_t kind, std::vector<Entry>& out) -> Status {
    if (kind < 0) return Status::Ok();
    LinkChanges pending;
    if (has_pending) {
      ALM_ASSIGN_OR_RETURN(PendingRead read, PendingForKind(conn, through, kind));
      pending = std::move(read.changes);
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
      if (found != ids.end() && reset.count(found->second)) continue;
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
    if (checked.count(kind.id) || reset.count(kind.id)) continue;
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

Result<std::unique_ptr<LinkIndex>> LinkIndex::Open(db::Database& db, LinkOptions options,
                                                   bool rebuild) {
  if (!db.write_queue() || db.is_memory()) {
    return InvalidArgument("The links index needs a writable database file, and " + db.name() +
                           " is not one");
  }
  std::unique_ptr<LinkIndex> index(new LinkIndex(db, std::move(options)));
  LinkIndex* self = index.get();
  // The database file's tables first (and what the side file must match).
  bool earlier_layout = false;
  std::string main_id;
  PendingSpan span;
  Status created = db.write_queue()->Run([&](db::WriteContext& ctx) -> Status {
    ALM_ASSIGN_OR_RETURN(earlier_layout, CreateMainTables(ctx.conn()));
    ALM_ASSIGN_OR_RETURN(main_id, MainId(ctx.conn()));
    ALM_ASSIGN_OR_RETURN(span, PendingSpanAfter(ctx.conn(), 0));
    return Status::Ok();
  });
  if (!created.ok()) return created;
  ALM_ASSIGN_OR_RETURN(index->merger_,
                       LinkMerger::Open(db.path(), index->side_path_, index->options_));
  db.AttachToReaders(kSideSchema, index->side_path_);
  ALM_ASSIGN_OR_RETURN(SideState side, index->merger_->State());
  bool everything = rebuild || earlier_layout || !SideMatches(side, main_id, span);
  if (everything) {
    // Emptied, at the newest seq: the marker appended next rebuilds every kind.
    ALM_RETURN_IF_ERROR(index->merger_->Reset(SideState{span.last_seq, main_id}));
  }
  index->deleted_through_ = index->committed_deleted_through_ =
      span.first_seq > 0 ? span.first_seq - 1 : 0;
  Status opened = db.write_queue()->Run(
      [self, everything](db::WriteContext& ctx) { return self->Reconcile(ctx, everything); });
  if (!opened.ok()) return opened;
  index->reconciled_uncommitted_ = false;  // Run returned: committed
  index->merger_->Start();
  if (index->txn_marker_) index->merger_->Committed(0, true);
  index->txn_changes_ = 0;
  index->txn_marker_ = false;
  return index;
}

Status LinkIndex::Reconcile(db::WriteContext& ctx, bool everything) {
  ALM_ASSIGN_OR_RETURN(std::shared_ptr<const db::Schema> schema, ctx.CurrentSchema());
  ALM_ASSIGN_OR_RETURN(auto stored, StoredFingerprints(ctx.conn()));
  ALM_ASSIGN_OR_RETURN(auto pages, RootPages(ctx.conn()));
  std::vector<int64_t> reset;  // kinds dropped or made: their links are built again
  for (const db::TableInfo& table : schema->tables()) {
    std::vector<LinkDef> defs = DefsForTable(table, options_);
    std::string state = StateOf(defs, pages[table.name]);
    auto found = stored.find(table.name);
    bool known = found != stored.end();
    bool same = known ? found->second == state : defs.empty();
    if (known) stored.erase(found);
    if (!everything && same && !stale_tables_.count(table.name)) continue;
    ALM_RETURN_IF_ERROR(
        ReplaceSourceKinds(ctx.conn(), table.name, &table, defs, pages[table.name], reset));
  }
  // Tables gone (dropped, or renamed: the new name was replaced above).
  for (const auto& [name, fingerprint] : stored) {
    (void)fingerprint;
    ALM_RETURN_IF_ERROR(ReplaceSourceKinds(ctx.conn(), name, nullptr, {}, 0, reset));
  }
  if (!reset.empty()) {
    ALM_RETURN_IF_ERROR(AppendMarker(ctx.conn(), reset));
    txn_marker_ = true;
  }
  // After the changes: they may not change the schema, but read it again to be sure.
  ALM_ASSIGN_OR_RETURN(schema, ctx.CurrentSchema());
  ALM_ASSIGN_OR_RETURN(std::vector<Kind> kinds, LoadKinds(ctx.conn()));
  std::map<KindKey, int64_t> ids = KindIds(kinds);
  defs_.clear();
  columns_.clear();
  for (const db::TableInfo& table : schema->tables()) {
    for (LinkDef& def : DefsForTable(table, options_)) {
      auto found = ids.find(KeyOf(def));
      if (found == ids.end()) continue;  // not possible after the changes above
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

namespace {

template <typename DefT>
bool DistinctKinds(const std::vector<DefT>& defs) {
  for (size_t i = 0; i < defs.size(); ++i) {
    for (size_t j = i + 1; j < defs.size(); ++j) {
      if (defs[i].kind == defs[j].kind) return false;
    }
  }
  return true;
}

}  // namespace

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
    RowEntries(defs, change.old_values,
               StoredPk::FromRow(change.info, change.old_values, change.old_rowid), keys_, before_);
  }
  if (!change.new_values.empty()) {
    RowEntries(defs, change.new_values,
               StoredPk::FromRow(change.info, change.new_values, change.new_rowid), keys_, after_);
  }
  // An insert's links are all added, a delete's all removed. Entries of one definition are
  // distinct (TargetKeys); two definitions of the same kind (a soft link declared on a
  // foreign key) could repeat one.
  const bool one_side = before_.empty() || after_.empty();
  for (std::vector<Entry>* entries : {&before_, &after_}) {
    if (entries->size() < 2 || (one_side && DistinctKinds(defs))) continue;
    std::sort(entries->begin(), entries->end());
    entries->erase(std::unique(entries->begin(), entries->end()), entries->end());
  }
  if (one_side) {
    const int delta = before_.empty() ? 1 : -1;
    for (Entry& entry : before_.empty() ? after_ : before_) {
      job_links_.push_back(LinkChange{std::move(entry), delta});
    }
    return Status::Ok();
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
  // In the order made: sorting and netting them is left to the merges and readers, off the
  // write's path. Cleared afterwards: the vector keeps its capacity for the next job.
  LinkChanges& links = job_links_;
  Result<int64_t> appended = AppendPending(conn, links);
  links.clear();
  if (!appended.ok()) return appended.status();
  txn_changes_ += *appended;
  return Status::Ok();
}

Status LinkIndex::AfterJob(db::WriteContext& ctx) {
  ALM_RETURN_IF_ERROR(FlushJob(ctx.conn()));
  // The rows merged since are deleted with this write (a few rows, once per merge).
  if (int64_t merged = merger_->merged_through(); merged > deleted_through_) {
    ALM_RETURN_IF_ERROR(DeleteMerged(ctx.conn(), merged));
    deleted_through_ = merged;
  }
  ALM_ASSIGN_OR_RETURN(std::shared_ptr<const db::Schema> schema, ctx.CurrentSchema());
  if (schema->version() == checked_version_ && !defs_stale_) return Status::Ok();
  return Reconcile(ctx, false);
}

Status LinkIndex::OnResync(db::WriteContext& ctx) { return Reconcile(ctx, true); }

void LinkIndex::OnCommitted() {
  reconciled_uncommitted_ = false;
  committed_deleted_through_ = deleted_through_;
  if (txn_changes_ > 0 || txn_marker_) merger_->Committed(txn_changes_, txn_marker_);
  txn_changes_ = 0;
  txn_marker_ = false;
}

void LinkIndex::OnRolledBack() {
  job_links_.clear();
  // The job's pending row and deletion are undone (with the whole transaction, maybe earlier
  // jobs' too: the counts below only decide when to merge).
  deleted_through_ = committed_deleted_through_;
  if (reconciled_uncommitted_) {
    // The kinds it made are gone: reconcile again at the end of the next job, and rebuild the
    // tables that job changes.
    defs_stale_ = true;
    reconciled_uncommitted_ = false;
  }
}

Status LinkIndex::MergeNow() { return merger_->MergeNow(); }

Status LinkIndex::WaitMerged(int64_t seq) const { return merger_->WaitMerged(seq); }

LinkIndex::~LinkIndex() = default;

}  // namespace almanac::links
