// libFuzzer target: random bytes as the blobs the change feed and the backlinks index keep in
// the database file (`_almanac_change_batches.events`, `_almanac_link_pending.changes`). A
// served file may come from anyone, so its blobs are input. Properties checked:
//   - nothing crashes, hangs or trips ASan/UBSan: a malformed blob is an error;
//   - every event a blob decodes to renders as valid JSON (the feed sends it as is), with the
//     seqs in order from the batch's first seq;
//   - link changes decoded from a blob encode and decode back to themselves.
// Seeds (tests/fuzz/corpus/log_blob/) are blobs written by `almanac serve` with the feed and a
// soft link on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "changes/change_codec.h"
#include "format/json_value.h"
#include "links/link_pending.h"

namespace {

using namespace almanac;  // NOLINT(google-build-using-namespace): a test driver

void Check(bool ok) {
  if (!ok) std::abort();
}

bool SameChanges(const links::LinkChanges& a, const links::LinkChanges& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].delta != b[i].delta || !(a[i].entry == b[i].entry)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view blob(reinterpret_cast<const char*>(data), size);

  std::vector<changes::ChangeEvent> events;
  if (changes::DecodeBatch(100, 1700000000000, blob, 0, std::nullopt, 1000, events).ok()) {
    int64_t previous = 99;
    for (const changes::ChangeEvent& event : events) {
      Check(event.seq > previous);
      previous = event.seq;
      Check(format::ParseJson(event.json).ok());
    }
  }
  std::vector<changes::ChangeEvent> filtered;
  (void)changes::DecodeBatch(100, 0, blob, 101, std::string("t"), 3, filtered);
  Check(filtered.size() <= 3);

  links::LinkChanges changes;
  if (links::DecodeLinkChanges(blob, std::nullopt, std::nullopt, changes).ok()) {
    links::LinkChanges again;
    Check(links::DecodeLinkChanges(links::EncodeLinkChanges(changes), std::nullopt, std::nullopt,
                                   again)
              .ok());
    Check(SameChanges(changes, again));
  }
  links::LinkChanges one_kind;
  (void)links::DecodeLinkChanges(blob, 1, std::nullopt, one_kind);
  return 0;
}
