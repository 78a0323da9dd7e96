#pragma once
// RecordingReader: replays a Binance market-data recording — gzip (or plain) text, one message
// per line as `<local receive time, ns since epoch> <raw exchange JSON>` — into a
// MarketEventSink, streaming in constant memory.
//
// Each line is parsed with venue::binance::MessageParser. Local time is corrected through the
// caller's LocalTimeCorrector (DESIGN.md decision 5). Messages of another symbol than the first
// one seen (or than `symbol` when given) and messages of unknown kinds are skipped and counted.
// Malformed lines are counted, and the first few are kept as "file:line: problem" texts; they
// never stop the replay unless `stop_on_malformed`. Not thread-safe.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "colibri/core/result.h"
#include "colibri/data/local_time.h"
#include "colibri/data/market_event_sink.h"

namespace colibri::data {

struct RecordingStats {
  std::uint64_t lines = 0;
  std::uint64_t messages = 0;       // delivered to the sink
  std::uint64_t snapshots = 0;
  std::uint64_t diffs = 0;
  std::uint64_t trades = 0;
  std::uint64_t tickers = 0;
  std::uint64_t skipped = 0;        // unknown kinds and other symbols
  std::uint64_t malformed = 0;
  std::vector<std::string> malformed_examples;  // at most kMaxExamples
  std::string symbol;               // the symbol replayed (first seen)
  bool futures_sequencing = false;  // diffs carried "pu" (Binance futures rules)
  bool coin_margined = false;       // the symbol looks like a COIN-M contract ("BTCUSD_PERP")

  static constexpr std::size_t kMaxExamples = 5;
};

struct RecordingOptions {
  std::string symbol;               // empty: the first symbol seen
  bool stop_on_malformed = false;   // fail at the first malformed line instead of counting it
};

// Replays one recording into `sink`. Fails (NotFound, Io, Corrupt) only for an unreadable file, a
// damaged gzip stream, or a malformed line when stop_on_malformed; `stats` is filled as it goes.
// `stats.symbol` carries the symbol across files of one replay when already set.
[[nodiscard]] Result<void> replay_recording(const std::filesystem::path& path, MarketEventSink& sink,
                                            LocalTimeCorrector& clock, RecordingStats& stats,
                                            const RecordingOptions& options = {});

}  // namespace colibri::data
