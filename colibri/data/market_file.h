#pragma once
// Replaying market-data files of any supported format into a MarketEventSink, in order, as one
// continuous stream (a later file continues the earlier book).
//
// Formats are recognised by content: colibri's binary event log (magic "CLBEVLOG"), otherwise a
// Binance recording (gzip or plain `<local_ns> <json>` lines).

#include <filesystem>
#include <span>
#include <string>

#include "colibri/core/result.h"
#include "colibri/data/event_log.h"
#include "colibri/data/local_time.h"
#include "colibri/data/recording_reader.h"

namespace colibri::data {

enum class MarketFileFormat : std::uint8_t { EventLog, BinanceRecording };

struct MarketReplayOptions {
  Duration min_feed_latency = LocalTimeCorrector::kDefaultMinFeedLatency;
  std::string symbol;              // recordings: empty means the first symbol seen
  bool stop_on_malformed = false;
};

struct MarketReplayStats {
  RecordingStats recordings;        // what the recordings held (zero for event logs)
  std::uint64_t log_messages = 0;   // records replayed from event logs
  std::uint64_t log_events = 0;
  EventLogInfo::Market market = EventLogInfo::Market::BinanceSpot;  // declared by a log or inferred
  std::string symbol;
  [[nodiscard]] std::uint64_t messages() const noexcept { return recordings.messages + log_messages; }
};

[[nodiscard]] Result<MarketFileFormat> detect_format(const std::filesystem::path& path);

// Replays `files` in order into `sink`. Stops at the first file that cannot be read, with an
// error naming it; what was replayed before stays delivered and counted in `stats`.
[[nodiscard]] Result<void> replay_market_files(std::span<const std::filesystem::path> files, MarketEventSink& sink,
                                               MarketReplayStats& stats, const MarketReplayOptions& options = {});

// Converts `inputs` (recordings and/or event logs, one continuous stream) into one event log at
// `output`, written to `output`.partial and renamed when complete: a failed conversion leaves no
// output. `info` gives the tick and lot sizes; the symbol and market are learned from the inputs.
// Returns what was replayed.
[[nodiscard]] Result<MarketReplayStats> convert_to_event_log(std::span<const std::filesystem::path> inputs,
                                                             const std::filesystem::path& output, EventLogInfo info,
                                                             const MarketReplayOptions& options = {});

}  // namespace colibri::data
