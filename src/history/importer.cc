#include "history/importer.h"

#include <chrono>
#include <filesystem>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <malloc.h>

#include "history/git_repo.h"
#include "history/items.h"
#include "history/store.h"
#include "history/tracker.h"

namespace almanac::history {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

// The file's path inside the repository: FILE as a path on disk (absolute, or relative to the
// current directory) when it is one inside the working tree, else a path from the root.
Result<std::string> PathInRepo(const GitRepo& repo, const std::string& file) {
  fs::path path(file);
  std::error_code ec;
  std::string workdir = repo.workdir();
  if (!workdir.empty() && (path.is_absolute() || fs::exists(path, ec))) {
    fs::path absolute = fs::weakly_canonical(fs::absolute(path, ec), ec);
    fs::path root = fs::weakly_canonical(fs::path(workdir), ec);
    fs::path relative = absolute.lexically_relative(root);
    if (relative.empty() || *relative.begin() == "..") {
      return InvalidArgument(file + " is not inside the repository at " + workdir);
    }
    return relative.generic_string();
  }
  std::string relative = path.lexically_normal().generic_string();
  if (relative.empty() || relative == "." || relative.rfind("../", 0) == 0 || path.is_absolute()) {
    return InvalidArgument(file + " is not a file in the repository");
  }
  return relative;
}

// The commit to walk from, and `branch` set to the name it was found by.
Result<std::string> BranchTip(const GitRepo& repo, std::string& branch) {
  if (!branch.empty()) return repo.ResolveCommit(branch);
  branch = "main";
  Result<std::string> main = repo.ResolveCommit(branch);
  if (main.ok()) return main;
  branch = "HEAD";
  Result<std::string> head = repo.ResolveCommit(branch);
  if (!head.ok()) return NotFound("The repository has no main branch and no HEAD commit");
  return head;
}

std::string Short(const std::string& hash) { return hash.substr(0, 12); }

class Import {
 public:
  Import(const ImportOptions& options, const ImportObserver& observer)
      : options_(options), observer_(observer) {}
  Result<ImportStats> Run();

 private:
  Result<std::vector<FileVersion>> CommitsToImport(const std::string& tip);
  Status CheckNotRewritten(const std::string& tip);
  Status SeedTracker();
  Status ImportOne(const FileVersion& version);
  Status AppendRows(const VersionItems& items, int64_t commit_id,
                    std::vector<std::string>& warnings);
  void Warn(const FileVersion& version, const std::string& message) {
    if (observer_.warn) observer_.warn("Commit " + Short(version.commit) + ": " + message);
  }

  const ImportOptions& options_;
  const ImportObserver& observer_;
  std::unique_ptr<GitRepo> repo_;
  std::string path_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<VersionParser> parser_;
  std::unique_ptr<ItemTracker> tracker_;
  std::unordered_map<std::string, int64_t> known_;
  std::optional<ObjectId> last_blob_;
  std::unique_ptr<std::string> buffer_ = std::make_unique<std::string>();
  std::string branch_;
  std::vector<std::string> ignore_;  // --ignore, NFC-normalised
  ImportStats stats_;
};

Status Import::CheckNotRewritten(const std::string& tip) {
  ALM_ASSIGN_OR_RETURN(std::string newest, store_->NewestCommit());
  if (newest.empty() || options_.allow_rewritten) return Status::Ok();
  bool on_branch = repo_->HasCommit(newest);
  if (on_branch) {
    ALM_ASSIGN_OR_RETURN(on_branch, repo_->IsAncestor(newest, tip));
  }
  if (on_branch) return Status::Ok();
  return Status(ErrorCode::kConflict,
                "The history was rewritten (a force-push?): commit " + Short(newest) +
                    ", the last one imported into namespace \"" + options_.ns +
                    "\", is no longer on " + branch_ +
                    ". Importing the new commits beside the old "
                    "ones would mix two histories. Import into a new database or --namespace, "
                    "or pass --allow-rewritten to add the new commits anyway.");
}

Result<std::vector<FileVersion>> Import::CommitsToImport(const std::string& tip) {
  const std::string& start = options_.start_at.empty() ? options_.start_after : options_.start_at;
  std::function<bool(std::string_view)> stop_at;
  if (start.empty()) {
    stop_at = [this](std::string_view hash) { return known_.count(std::string(hash)) > 0; };
  }
  ALM_ASSIGN_OR_RETURN(std::vector<FileVersion> all, repo_->FileHistory(tip, path_, stop_at));
  size_t first = 0;
  if (!start.empty()) {
    ALM_ASSIGN_OR_RETURN(std::string hash, repo_->ResolveCommit(start));
    while (first < all.size() && all[first].commit != hash) ++first;
    if (first == all.size()) {
      return InvalidArgument("Commit " + start + " did not change " + path_ +
                             " on this branch (--start-at / --start-after)");
    }
    if (options_.start_at.empty()) ++first;
  }
  std::unordered_set<std::string> skip;
  for (const std::string& s : options_.skip) {
    ALM_ASSIGN_OR_RETURN(std::string hash, repo_->ResolveCommit(s));
    skip.insert(hash);
  }
  std::vector<FileVersion> todo;
  for (size_t i = first; i < all.size(); ++i) {
    if (!all[i].blob || known_.count(all[i].commit) || skip.count(all[i].commit)) continue;
    todo.push_back(std::move(all[i]));
  }
  return todo;
}

// A database written by git-history does not say which items its last version held: read
// that version again.
Status Import::SeedTracker() {
  ALM_ASSIGN_OR_RETURN(std::vector<std::string> imported, store_->CommitsNewestFirst());
  for (const std::string& hash : imported) {
    if (!repo_->HasCommit(hash)) continue;
    ALM_ASSIGN_OR_RETURN(std::optional<ObjectId> blob, repo_->BlobAt(hash, path_));
    if (!blob) continue;
    auto content = std::make_unique<std::string>();
    ALM_RETURN_IF_ERROR(repo_->ReadBlob(*blob, *content));
    if (IsBlank(*content)) continue;
    Result<VersionItems> items = parser_->Parse(*content);
    if (!items.ok()) continue;
    last_blob_ = blob;
    if (items->text) content = std::move(items->text);
    return tracker_->Seed(std::move(content), *items);
  }
  return Status::Ok();
}

Status Import::AppendRows(const VersionItems& items, int64_t commit_id,
                          std::vector<std::string>& warnings) {
  std::vector<Row> rows;
  ItemRules rules{{}, ignore_};
  auto add = [&](format::JsonValue value) -> Status {
    Result<Item> item = CleanItem(std::move(value), rules);
    if (!item.ok()) {
      if (!options_.skip_invalid) return item.status();
      warnings.push_back("skipped " + item.status().message());
      ++stats_.skipped_items;
      return Status::Ok();
    }
    for (const std::string& key : item->dropped) {
      warnings.push_back("dropped key \"" + key +
                         "\": the item has another key that differs only in case");
    }
    Row row;
    for (const auto& [name, v] : item->fields) row.Add(name, CellValue(v), CellType(v));
    row.Add("_commit", Value::Integer(commit_id), "INTEGER");
    rows.push_back(std::move(row));
    return Status::Ok();
  };
  for (std::string_view span : items.spans) {
    ALM_ASSIGN_OR_RETURN(format::JsonValue value, format::ParseJson(span));
    ALM_RETURN_IF_ERROR(add(std::move(value)));
  }
  stats_.rows += static_cast<int64_t>(rows.size());
  return store_->AppendRows(rows);
}

Status Import::ImportOne(const FileVersion& version) {
  ALM_ASSIGN_OR_RETURN(
      int64_t commit_id,
      store_->AddCommit(version.commit, IsoCommitTime(version.time, version.offset_minutes)));
  ++stats_.commits;
  if (last_blob_ && *last_blob_ == *version.blob) return Status::Ok();  // the same bytes again
  std::unique_ptr<std::string> content = tracker_ ? tracker_->TakeBuffer() : std::move(buffer_);
  ALM_RETURN_IF_ERROR(repo_->ReadBlob(*version.blob, *content));
  ++stats_.versions_read;
  stats_.bytes_read += static_cast<int64_t>(content->size());
  last_blob_ = version.blob;
  if (IsBlank(*content)) {
    if (!tracker_) buffer_ = std::move(content);
    return Status::Ok();  // git-history skips empty versions
  }
  Result<VersionItems> items = parser_->Parse(*content);
  if (!items.ok()) {
    if (!options_.skip_invalid) return items.status();
    Warn(version, "skipped this version: " + items.status().message());
    ++stats_.skipped_versions;
    if (!tracker_) buffer_ = std::move(content);
    return Status::Ok();
  }
  std::vector<std::string> warnings;
  Status status;
  if (tracker_) {
    if (items->text) content = std::move(items->text);  // what the spans point into
    status = tracker_->Apply(std::move(content), *items, commit_id, warnings);
  } else {
    status = AppendRows(*items, commit_id, warnings);
    buffer_ = std::move(content);
  }
  for (const std::string& w : warnings) Warn(version, w);
  return status;
}

Result<ImportStats> Import::Run() {
  ALM_ASSIGN_OR_RETURN(repo_, GitRepo::Open(options_.repo));
  ALM_ASSIGN_OR_RETURN(path_, PathInRepo(*repo_, options_.file));
  branch_ = options_.branch;
  ALM_ASSIGN_OR_RETURN(std::string tip, BranchTip(*repo_, branch_));
  ALM_ASSIGN_OR_RETURN(parser_, VersionParser::Create(options_.parse));
  ALM_ASSIGN_OR_RETURN(store_, Store::Open(options_.database, options_.ns, options_.wal));
  for (const std::string& column : options_.ignore) ignore_.push_back(NormalizeKey(column));
  if (!options_.ids.empty()) {
    TrackerOptions tracking;
    tracking.rules.ids = options_.ids;
    tracking.rules.ignore = ignore_;
    tracking.full_versions = options_.full_versions;
    tracking.ignore_duplicate_ids = options_.ignore_duplicate_ids;
    tracking.skip_invalid = options_.skip_invalid;
    ALM_ASSIGN_OR_RETURN(tracker_, ItemTracker::Create(*store_, std::move(tracking)));
  } else if (store_->has_item_table() && store_->item_table_has_ids()) {
    return InvalidArgument("Table " + options_.ns +
                           " was written with --id: pass the same --id, or use a new --namespace");
  }
  ALM_ASSIGN_OR_RETURN(known_, store_->KnownCommits());
  ALM_RETURN_IF_ERROR(CheckNotRewritten(tip));
  ALM_ASSIGN_OR_RETURN(std::vector<FileVersion> todo, CommitsToImport(tip));
  if (tracker_ && tracker_->needs_seed()) ALM_RETURN_IF_ERROR(SeedTracker());

  const int64_t total = static_cast<int64_t>(todo.size());
  ALM_RETURN_IF_ERROR(store_->Begin());
  SteadyClock::time_point committed = SteadyClock::now();
  for (int64_t i = 0; i < total; ++i) {
    const FileVersion& version = todo[static_cast<size_t>(i)];
    ALM_RETURN_IF_ERROR(store_->Savepoint());
    Status status = ImportOne(version);
    if (!status.ok()) {
      // Keep what the earlier commits wrote; take back this one's partial writes.
      ALM_RETURN_IF_ERROR(store_->RollbackToSavepoint());
      ALM_RETURN_IF_ERROR(store_->Commit());
      return Status(status.code(),
                    "Commit " + version.commit + ", " + path_ + ": " + status.message());
    }
    ALM_RETURN_IF_ERROR(store_->Release());
    // Commit every second or so: progress survives an interruption, readers see it.
    if (SteadyClock::now() - committed > std::chrono::seconds(1)) {
      ALM_RETURN_IF_ERROR(store_->Commit());
      ALM_RETURN_IF_ERROR(store_->Begin());
      committed = SteadyClock::now();
      // Blobs of a few hundred KB between small allocations fragment the heap: hand the
      // free pages back now and then so memory stays flat over long histories.
      malloc_trim(0);
    }
    if (observer_.progress) observer_.progress(i + 1, total);
  }
  ALM_RETURN_IF_ERROR(store_->Finish());
  ALM_RETURN_IF_ERROR(store_->Commit());
  if (tracker_) {
    const TrackerCounts& c = tracker_->counts();
    stats_.new_items = c.new_items;
    stats_.item_versions = c.item_versions;
    stats_.removed = c.removed;
    stats_.restored = c.restored;
    stats_.skipped_items = c.skipped_items;
  }
  return stats_;
}

}  // namespace

std::string IsoCommitTime(int64_t time, int offset_minutes) {
  int64_t local = time + int64_t{offset_minutes} * 60;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t seconds = local - days * 86400;
  // Howard Hinnant's civil_from_days.
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  int offset = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char out[128];
  std::snprintf(out, sizeof out, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld%c%02d:%02d",
                static_cast<long long>(year), static_cast<long long>(month),
                static_cast<long long>(day), static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60),
                offset_minutes < 0 ? '-' : '+', offset / 60, offset % 60);
  return out;
}

Result<ImportStats> ImportFileHistory(const ImportOptions& options,
                                      const ImportObserver& observer) {
  Import import(options, observer);
  return import.Run();
}

}  // namespace almanac::history
