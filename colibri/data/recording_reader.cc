#include "colibri/data/recording_reader.h"

#include <charconv>

#include "colibri/data/line_reader.h"
#include "colibri/venue/binance/message_parser.h"

namespace colibri::data {

namespace binance = venue::binance;

namespace {

void note_malformed(RecordingStats& stats, const std::filesystem::path& path, std::uint64_t line,
                    std::string_view problem) {
  ++stats.malformed;
  if (stats.malformed_examples.size() < RecordingStats::kMaxExamples) {
    stats.malformed_examples.push_back(fmt::format("{}:{}: {}", path.string(), line, problem));
  }
}

}  // namespace

Result<void> replay_recording(const std::filesystem::path& path, MarketEventSink& sink, LocalTimeCorrector& clock,
                              RecordingStats& stats, const RecordingOptions& options) {
  auto reader = LineReader::open(path);
  if (!reader) return tl::unexpected<Error>(std::move(reader.error()));
  binance::MessageParser parser;
  if (!options.symbol.empty()) stats.symbol = options.symbol;

  for (;;) {
    auto next = reader->next();
    if (!next) return tl::unexpected<Error>(std::move(next.error()));
    if (!*next) break;
    const std::string_view line = **next;
    ++stats.lines;
    if (line.empty()) continue;

    // "<local ns> <json>"
    const std::size_t space = line.find(' ');
    std::int64_t local_ns = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + (space == std::string_view::npos ? 0 : space), local_ns);
    if (space == std::string_view::npos || ec != std::errc() || end != line.data() + space || local_ns < 0) {
      note_malformed(stats, path, reader->line_number(), "expected \"<local time ns> <json>\"");
      if (options.stop_on_malformed) return fail(ErrorCode::Corrupt, "{}", stats.malformed_examples.back());
      continue;
    }
    // The rest of the line is followed by the reader's padding: parse in place.
    const std::string_view json = line.substr(space + 1);
    auto parsed = parser.parse_padded(json, Timestamp::from_ns(local_ns));
    if (!parsed) {
      note_malformed(stats, path, reader->line_number(), parsed.error().message());
      if (options.stop_on_malformed) return fail(ErrorCode::Corrupt, "{}", stats.malformed_examples.back());
      continue;
    }
    binance::ParsedMessage m = **parsed;  // a few views: copied so times can be corrected
    if (m.kind == binance::MessageKind::Unknown) {
      ++stats.skipped;
      continue;
    }
    if (!m.symbol.empty()) {
      if (stats.symbol.empty()) {
        stats.symbol.assign(m.symbol);
        stats.coin_margined = stats.symbol.find('_') != std::string::npos;
      } else if (m.symbol != stats.symbol) {
        ++stats.skipped;
        continue;
      }
    }
    ++stats.messages;
    switch (m.kind) {
      case binance::MessageKind::DepthDiff:
        clock.correct(m.diff.local_time, m.diff.exchange_time);
        if (m.diff.prev_last_update_id != model::kNoUpdateId) stats.futures_sequencing = true;
        ++stats.diffs;
        sink.on_diff(m.diff);
        break;
      case binance::MessageKind::DepthSnapshot:
        clock.correct(m.snapshot.local_time, m.snapshot.exchange_time);
        ++stats.snapshots;
        sink.on_snapshot(m.snapshot);
        break;
      case binance::MessageKind::Trade:
        clock.correct(m.trade.local_time, m.trade.exchange_time);
        ++stats.trades;
        sink.on_trade(m.trade);
        break;
      case binance::MessageKind::BookTicker:
        clock.correct(m.ticker.local_time, m.ticker.exchange_time);
        ++stats.tickers;
        sink.on_ticker(m.ticker);
        break;
      case binance::MessageKind::Unknown:
        break;
    }
  }
  return {};
}

}  // namespace colibri::data
