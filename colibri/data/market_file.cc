#include "colibri/data/market_file.h"

namespace colibri::data {

Result<MarketFileFormat> detect_format(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return fail(ErrorCode::NotFound, "{}: no such file", path.string());
  return EventLogReader::looks_like_event_log(path) ? MarketFileFormat::EventLog : MarketFileFormat::BinanceRecording;
}

Result<void> replay_market_files(std::span<const std::filesystem::path> files, MarketEventSink& sink,
                                 MarketReplayStats& stats, const MarketReplayOptions& options) {
  LocalTimeCorrector clock(options.min_feed_latency);
  RecordingOptions recording_options;
  recording_options.symbol = options.symbol;
  recording_options.stop_on_malformed = options.stop_on_malformed;
  for (const auto& path : files) {
    auto format = detect_format(path);
    if (!format) return tl::unexpected<Error>(std::move(format.error()));
    if (*format == MarketFileFormat::EventLog) {
      auto reader = EventLogReader::open(path);
      if (!reader) return tl::unexpected<Error>(std::move(reader.error()));
      stats.market = reader->info().market;
      if (stats.symbol.empty()) stats.symbol = reader->info().symbol;
      if (auto ok = reader->replay(sink); !ok) return ok;
      stats.log_messages += reader->info().messages;
      stats.log_events += reader->info().events;
    } else {
      if (auto ok = replay_recording(path, sink, clock, stats.recordings, recording_options); !ok) return ok;
      if (stats.symbol.empty()) stats.symbol = stats.recordings.symbol;
      recording_options.symbol = stats.recordings.symbol;  // later files continue the same market
      if (stats.recordings.futures_sequencing) {
        stats.market = stats.recordings.coin_margined ? EventLogInfo::Market::BinanceCoinM
                                                      : EventLogInfo::Market::BinanceUsdM;
      }
    }
  }
  return {};
}

Result<MarketReplayStats> convert_to_event_log(std::span<const std::filesystem::path> inputs,
                                               const std::filesystem::path& output, EventLogInfo info,
                                               const MarketReplayOptions& options) {
  namespace fs = std::filesystem;
  const fs::path partial = fs::path(output.string() + ".partial");
  auto writer = EventLogWriter::create(partial, info);
  if (!writer) return tl::unexpected<Error>(std::move(writer.error()));
  MarketReplayStats stats;
  auto replayed = replay_market_files(inputs, **writer, stats, options);
  if (replayed) {
    info.symbol = stats.symbol;
    info.market = stats.market;
    (*writer)->set_info(info);
    replayed = (*writer)->finish();
  }
  writer->reset();
  std::error_code ec;
  if (!replayed) {
    fs::remove(partial, ec);
    return tl::unexpected<Error>(std::move(replayed.error()));
  }
  fs::rename(partial, output, ec);
  if (ec) return fail(ErrorCode::Io, "{}: cannot rename: {}", output.string(), ec.message());
  return stats;
}

}  // namespace colibri::data
