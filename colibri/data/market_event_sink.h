#pragma once
// MarketEventSink: the receiving end of a market-data stream (a reader, the synthetic market,
// a replay). Each call hands over one message; the views inside are valid only during the call.

#include "colibri/model/market_data.h"

namespace colibri::data {

class MarketEventSink {
 public:
  virtual ~MarketEventSink() = default;
  virtual void on_snapshot(const model::BookSnapshot& snapshot) = 0;
  virtual void on_diff(const model::BookDiff& diff) = 0;
  virtual void on_trade(const model::PublicTrade& trade) = 0;
  virtual void on_ticker(const model::BookTicker& ticker) { (void)ticker; }
};

}  // namespace colibri::data
