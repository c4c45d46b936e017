// Pending link changes: the write path of the backlinks index. A write's link changes (in the
// order made: not sorted, nor netted, which would cost the write's path) are appended to
// `_almanac_link_pending` (in the database file, inside the write's
// transaction) as one row — one compact blob, whatever the number of changes — and the merges
// (link_merger.h) fold them into the keyed index in the side file later, beside the writer.
//   _almanac_link_pending (seq INTEGER PRIMARY KEY, n INTEGER NOT NULL, changes BLOB NOT NULL)
// A blob holds n changes, each: varint kind, the target key (varint length and bytes), a tag
// byte (bit 0: the source key is text, else an integer; bit 1: the link was added, else
// removed), then the source key (zigzag varint, or varint length and the JSON text).
// A row with n < 0 is a marker: its blob holds -n kind ids (varints) whose links must be built
// again from the rows (a definition or a table changed), which the next merge does.
// The side file records the seq it merged through (link_store.h); readers add the rows after
// it to what the index says (PendingForTarget, PendingForKind), so answers are exact at any
// moment. Merged rows are deleted by the writer later, never the newest one: seqs never go back.
// A link's deltas sum, in an exact index, to 0, to +1 when the index does not hold it, or to -1
// when it does; their order does not matter. The first layout (one row per change: kind,
// target_key, source_pk, delta) is moved into this one when the index opens
// (MigratePendingLayout).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "db/connection.h"
#include "links/link_store.h"

namespace almanac::links {

struct LinkChange {
  Entry entry;
  int delta = 0;  // +1 added, -1 removed
};
// Link changes; "netted" when sorted by entry, one per entry, none of delta 0.
using LinkChanges = std::vector<LinkChange>;

// Sorts the changes by entry and sums those of the same entry, dropping the zeros.
void NetChanges(LinkChanges& changes);
// The same, for changes sorted already.
void NetSorted(LinkChanges& changes);

// The blob of a pending row, and back. DecodeLinkChanges appends the changes of `kind` and/or
// `target_key` only, when given; Internal error for a blob it cannot read.
std::string EncodeLinkChanges(const LinkChanges& changes);
Status DecodeLinkChanges(std::string_view blob, std::optional<int64_t> kind,
                         std::optional<std::string_view> target_key, LinkChanges& out);

// Appends the changes as one row. Returns how many changes were appended.
Result<int64_t> AppendPending(db::Connection& conn, const LinkChanges& changes);
// Appends a marker: the kinds' links are to be built again from the rows.
Status AppendMarker(db::Connection& conn, const std::vector<int64_t>& kinds);
// Applies netted changes straight to the index and its counters, in key order.
Status ApplyToIndex(db::Connection& conn, const LinkChanges& changes);

// What the pending rows after a seq hold.
struct PendingRead {
  LinkChanges changes;       // sorted and netted
  int64_t changes_read = 0;  // before netting
  std::set<int64_t> reset;   // kinds a marker asks to build again
  int64_t last_seq = 0;      // the newest row read (0: none)
};
// The pending rows after `after_seq` (their changes of `kind` and/or to `target_key` only,
// when given); markers are read whatever the filter.
Result<PendingRead> ReadPending(db::Connection& conn, int64_t after_seq,
                                std::optional<int64_t> kind,
                                std::optional<std::string_view> target_key);
// The same, for links pointing at `target_key` (of any kind).
Result<PendingRead> PendingForTarget(db::Connection& conn, int64_t after_seq,
                                     const std::string& target_key);
// The same, for one kind (either layout: `links verify` may read a file the server has not
// opened since the layout changed).
Result<PendingRead> PendingForKind(db::Connection& conn, int64_t after_seq, int64_t kind);
// Changes in the rows after `after_seq`, and the first and last seq of the table (0 when empty).
struct PendingSpan {
  int64_t changes = 0;
  int64_t first_seq = 0;
  int64_t last_seq = 0;
};
Result<PendingSpan> PendingSpanAfter(db::Connection& conn, int64_t after_seq);
// Whether the side file's index was made from this database file (`main_id`) and merged a
// seq the pending rows still follow (none deleted unmerged, none merged that the file lost).
bool SideMatches(const SideState& side, const std::string& main_id, const PendingSpan& span);
// Deletes the rows merged (seq <= through), but never the newest row.
Status DeleteMerged(db::Connection& conn, int64_t through);

// Moves the rows of a first-layout pending table (one row per change) into one row of this
// layout, in the caller's transaction. Returns the changes moved, or nullopt when the table
// was not in the first layout.
Result<std::optional<int64_t>> MigratePendingLayout(db::Connection& conn);

}  // namespace almanac::links
