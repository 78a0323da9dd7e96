// Whole-file replay speeds (DESIGN.md budgets):
//  - recorded JSON (gzip) -> book, against inflating + simdjson-parsing the same file and nothing
//    else (the limit on this machine): target >= 70 % of it;
//  - binary event log -> book: target >= 50 M events/s (an event is one level update or trade).
// Each iteration replays the whole file; bytes/s are of the uncompressed text.

#include <filesystem>
#include <optional>
#include <vector>

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include "bench_support.h"
#include "colibri/data/book_check.h"
#include "colibri/data/event_log.h"
#include "colibri/data/line_reader.h"
#include "colibri/data/market_file.h"
#include "colibri/venue/binance/sequence_policy.h"

namespace colibri::bench {
namespace {

const venue::binance::InferredSequencePolicy kPolicy;

std::uint64_t text_bytes(const std::filesystem::path& path) {
  auto reader = data::LineReader::open(path);
  std::uint64_t bytes = 0;
  for (;;) {
    auto line = reader->next();
    if (!line || !*line) break;
    bytes += (*line)->size() + 1;
  }
  return bytes;
}

// The limit: inflate every line and fully parse its JSON with simdjson's DOM parser.
void inflate_and_parse(benchmark::State& state, const char* relative) {
  const auto path = sample_file(relative);
  if (!path) return state.SkipWithError("sample data not found (set COLIBRI_SAMPLE_DATA)");
  const std::uint64_t bytes = text_bytes(*path);
  simdjson::dom::parser parser;
  std::uint64_t lines = 0;
  for (auto _ : state) {
    auto reader = data::LineReader::open(*path);
    for (;;) {
      auto line = reader->next();
      if (!line || !*line) break;
      const std::string_view text = **line;
      const auto space = text.find(' ');
      auto doc = parser.parse(text.data() + space + 1, text.size() - space - 1, false);
      benchmark::DoNotOptimize(doc.error());
      ++lines;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
  state.counters["ns_per_message"] = benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsRate |
                                                                                      benchmark::Counter::kInvert);
}

// The product path: inflate, parse into model types, correct times, sync and update the book.
void recording_to_book(benchmark::State& state, const char* relative) {
  const auto path = sample_file(relative);
  if (!path) return state.SkipWithError("sample data not found (set COLIBRI_SAMPLE_DATA)");
  const std::uint64_t bytes = text_bytes(*path);
  const std::vector<std::filesystem::path> files = {*path};
  std::uint64_t messages = 0;
  for (auto _ : state) {
    data::BookCheck check(kPolicy);
    data::MarketReplayStats stats;
    if (!data::replay_market_files(files, check, stats)) return state.SkipWithError("replay failed");
    messages += stats.messages();
    benchmark::DoNotOptimize(check.book().best_bid());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
  state.counters["ns_per_message"] = benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate |
                                                                                         benchmark::Counter::kInvert);
}

// The recording converted once to an event log in a temporary file, mapped (the file is removed
// at once; the mapping stays valid).
std::optional<data::EventLogReader> converted_log(const std::filesystem::path& recording) {
  const auto log = std::filesystem::temp_directory_path() /
                   ("colibri-bench-" + std::to_string(::getpid()) + "-" + recording.stem().string() + ".clog");
  {
    auto writer = data::EventLogWriter::create(log, data::EventLogInfo{});
    data::MarketReplayStats stats;
    const std::vector<std::filesystem::path> files = {recording};
    if (!writer || !data::replay_market_files(files, **writer, stats) || !(*writer)->finish()) return std::nullopt;
  }
  auto reader = data::EventLogReader::open(log);
  std::filesystem::remove(log);
  if (!reader) return std::nullopt;
  return std::move(*reader);
}

// Binary log -> book. The log is converted once from the sample into a temporary file.
void event_log_to_book(benchmark::State& state, const char* relative) {
  const auto path = sample_file(relative);
  if (!path) return state.SkipWithError("sample data not found (set COLIBRI_SAMPLE_DATA)");
  auto reader = converted_log(*path);
  if (!reader) return state.SkipWithError("cannot convert the recording to an event log");
  for (auto _ : state) {
    data::BookCheck check(kPolicy);
    if (!reader->replay(check)) return state.SkipWithError("replay failed");
    benchmark::DoNotOptimize(check.book().best_bid());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(reader->info().events * state.iterations()));
}

// The baseline book: the same log replayed into a std::map book (no sequence checks).
class MapBookSink final : public data::MarketEventSink {
 public:
  MapBook book;
  void on_snapshot(const model::BookSnapshot& s) override {
    book.clear();
    apply(s.bids, s.asks);
  }
  void on_diff(const model::BookDiff& d) override { apply(d.bids, d.asks); }
  void on_trade(const model::PublicTrade&) override {}

 private:
  void apply(std::span<const model::PriceLevel> bids, std::span<const model::PriceLevel> asks) {
    for (const auto& l : bids) book.apply(model::BookSide::Bid, l);
    for (const auto& l : asks) book.apply(model::BookSide::Ask, l);
  }
};

void event_log_to_map_book(benchmark::State& state, const char* relative) {
  const auto path = sample_file(relative);
  if (!path) return state.SkipWithError("sample data not found (set COLIBRI_SAMPLE_DATA)");
  auto reader = converted_log(*path);
  if (!reader) return state.SkipWithError("cannot convert the recording to an event log");
  for (auto _ : state) {
    MapBookSink sink;
    if (!reader->replay(sink)) return state.SkipWithError("replay failed");
    benchmark::DoNotOptimize(sink.book.best_bid());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(reader->info().events * state.iterations()));
}

BENCHMARK_CAPTURE(inflate_and_parse, spot_btcusdt, "binance/spot/btcusdt_20240808.gz")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(recording_to_book, spot_btcusdt, "binance/spot/btcusdt_20240808.gz")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(inflate_and_parse, usdm_btcusdt, "binance/usdm/btcusdt_20240808.gz")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(recording_to_book, usdm_btcusdt, "binance/usdm/btcusdt_20240808.gz")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(event_log_to_book, spot_btcusdt, "binance/spot/btcusdt_20240808.gz")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(event_log_to_book, usdm_btcusdt, "binance/usdm/btcusdt_20240808.gz")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(event_log_to_map_book, spot_btcusdt, "binance/spot/btcusdt_20240808.gz")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(event_log_to_map_book, usdm_btcusdt, "binance/usdm/btcusdt_20240808.gz")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace colibri::bench

BENCHMARK_MAIN();
