#pragma once
// EventTape: a MarketEventSink that keeps an owned copy of every event, to replay later into
// another sink — whole, or with faults injected (an event dropped or duplicated). For tests,
// tools and small files; it holds the whole stream in memory.

#include <cstddef>
#include <functional>
#include <variant>
#include <vector>

#include "colibri/data/market_event_sink.h"

namespace colibri::data {

class EventTape final : public MarketEventSink {
 public:
  struct Book {  // a snapshot or a diff with its own level storage
    bool is_snapshot = false;
    model::BookDiff header;  // for snapshots: last_update_id and times only
    std::vector<model::PriceLevel> bids;
    std::vector<model::PriceLevel> asks;
  };
  using Event = std::variant<Book, model::PublicTrade, model::BookTicker>;

  void on_snapshot(const model::BookSnapshot& s) override;
  void on_diff(const model::BookDiff& d) override;
  void on_trade(const model::PublicTrade& t) override { events_.emplace_back(t); }
  void on_ticker(const model::BookTicker& t) override { events_.emplace_back(t); }

  [[nodiscard]] const std::vector<Event>& events() const noexcept { return events_; }
  [[nodiscard]] std::vector<Event>& events() noexcept { return events_; }

  // Replays events [0, size) into `sink`.
  void replay(MarketEventSink& sink) const;
  // Delivers one event.
  static void deliver(const Event& event, MarketEventSink& sink);

 private:
  std::vector<Event> events_;
};

}  // namespace colibri::data
