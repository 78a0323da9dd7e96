#include "colibri/data/event_tape.h"

namespace colibri::data {

void EventTape::on_snapshot(const model::BookSnapshot& s) {
  Book book;
  book.is_snapshot = true;
  book.header.last_update_id = s.last_update_id;
  book.header.exchange_time = s.exchange_time;
  book.header.local_time = s.local_time;
  book.bids.assign(s.bids.begin(), s.bids.end());
  book.asks.assign(s.asks.begin(), s.asks.end());
  events_.emplace_back(std::move(book));
}

void EventTape::on_diff(const model::BookDiff& d) {
  Book book;
  book.header = d;
  book.header.bids = {};
  book.header.asks = {};
  book.bids.assign(d.bids.begin(), d.bids.end());
  book.asks.assign(d.asks.begin(), d.asks.end());
  events_.emplace_back(std::move(book));
}

void EventTape::deliver(const Event& event, MarketEventSink& sink) {
  if (const auto* book = std::get_if<Book>(&event)) {
    if (book->is_snapshot) {
      model::BookSnapshot s;
      s.last_update_id = book->header.last_update_id;
      s.exchange_time = book->header.exchange_time;
      s.local_time = book->header.local_time;
      s.bids = book->bids;
      s.asks = book->asks;
      sink.on_snapshot(s);
    } else {
      model::BookDiff d = book->header;
      d.bids = book->bids;
      d.asks = book->asks;
      sink.on_diff(d);
    }
  } else if (const auto* trade = std::get_if<model::PublicTrade>(&event)) {
    sink.on_trade(*trade);
  } else {
    sink.on_ticker(std::get<model::BookTicker>(event));
  }
}

void EventTape::replay(MarketEventSink& sink) const {
  for (const Event& e : events_) deliver(e, sink);
}

}  // namespace colibri::data
