#include "web/change_stream.h"

#include <algorithm>
#include <utility>

#include "changes/change_reader.h"

namespace almanac::web {
namespace {

constexpr size_t kEventsPerChunk = 512;

}  // namespace

ChangeStream::ChangeStream(const api::Instance& instance, api::ChangesArgs args,
                           auth::MaybeActor actor)
    : instance_(instance),
      args_(std::move(args)),
      visibility_(instance, std::move(actor), args_.database) {}

void ChangeStream::Pull(Deliver deliver) {
  if (!started_) {
    // Sent at once, so that the client sees the answer's head without waiting for an event.
    started_ = true;
    deliver("retry: 3000\n: almanac change feed from seq " + std::to_string(args_.since) + "\n\n",
            true);
    return;
  }
  Fill(std::move(deliver));
}

void ChangeStream::Format(const changes::ChangeEvent& event, std::string& out) {
  args_.since = event.seq;
  bool resync = event.op == "resync";
  if (!resync && args_.table && event.table != *args_.table) return;
  if (!visibility_.Visible(event.table)) return;
  out += "id: ";
  out += std::to_string(event.seq);
  out += resync ? "\nevent: resync\ndata: " : "\nevent: change\ndata: ";
  out += event.json;
  out += "\n\n";
}

void ChangeStream::Fill(Deliver deliver) {
  for (;;) {
    std::vector<changes::ChangeLog::EventPtr> events;
    if (!args_.log->Recent(args_.since, kEventsPerChunk, events)) {
      FillFromLog(std::move(deliver));
      return;
    }
    if (events.empty()) {
      int64_t waited_after = args_.since;
      args_.log->WaitAfter(
          waited_after, [self = shared_from_this(), deliver, waited_after](bool stopping) mutable {
            if (stopping) {
              deliver(std::string(), false);
            } else if (self->args_.log->last_seq() > waited_after) {
              self->Fill(std::move(deliver));
            } else {
              deliver(": heartbeat\n\n", true);
            }
          });
      return;
    }
    std::string out;
    for (const auto& event : events) Format(*event, out);
    if (!out.empty()) {
      deliver(std::move(out), true);
      return;
    }
  }
}

void ChangeStream::FillFromLog(Deliver deliver) {
  auto run = [self = shared_from_this(), deliver]() mutable {
    db::Database* db = self->instance_.registry.Find(self->args_.database);
    Result<db::Connection*> conn =
        db ? db->ReadConnection() : Result<db::Connection*>(NotFound("Database not found"));
    Result<std::vector<changes::ChangeEvent>> events =
        conn.ok() ? changes::ReadChanges(**conn, self->args_.since, std::nullopt, kEventsPerChunk)
                  : Result<std::vector<changes::ChangeEvent>>(conn.status());
    if (!events.ok()) {
      deliver("event: error\ndata: " + events.status().message() + "\n\n", false);
      return;
    }
    if (events->empty()) {
      // Behind the memory's window, yet nothing in the table: the log was pruned past the
      // cursor. Go on from the newest event.
      self->args_.since = std::max(self->args_.since, self->args_.log->last_seq());
      self->Fill(std::move(deliver));
      return;
    }
    std::string out;
    for (const changes::ChangeEvent& event : *events) self->Format(event, out);
    if (out.empty()) {
      self->Fill(std::move(deliver));
      return;
    }
    deliver(std::move(out), true);
  };
  if (instance_.pool) {
    instance_.pool->Submit(std::move(run));
  } else {
    run();
  }
}

}  // namespace almanac::web
