#include "colibri/app/data_commands.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "colibri/app/cli_output.h"
#include "colibri/core/json_text.h"
#include "colibri/data/book_check.h"
#include "colibri/data/event_log.h"
#include "colibri/data/market_file.h"
#include "colibri/data/synthetic_market.h"
#include "colibri/venue/binance/sequence_policy.h"

namespace colibri::app {
namespace {

namespace fs = std::filesystem;

template <typename T>
std::string json_decimal(const std::optional<T>& v) {
  return v ? json_string(v->to_string()) : "null";
}

// The sequence rules for a set of files: Binance's (chosen per diff) unless the files are
// event logs that declare themselves unsequenced.
const model::BookSequencePolicy& policy_for(const std::vector<fs::path>& files) {
  static const venue::binance::InferredSequencePolicy binance;
  static const model::UnsequencedPolicy unsequenced;
  if (!files.empty() && data::EventLogReader::looks_like_event_log(files.front())) {
    auto reader = data::EventLogReader::open(files.front(), /*verify_payload=*/false);
    if (reader && reader->info().market == data::EventLogInfo::Market::Unsequenced) return unsequenced;
  }
  return binance;
}

std::string_view market_name(data::EventLogInfo::Market market) {
  switch (market) {
    case data::EventLogInfo::Market::BinanceSpot: return "binance-spot";
    case data::EventLogInfo::Market::BinanceUsdM: return "binance-usdm";
    case data::EventLogInfo::Market::BinanceCoinM: return "binance-coinm";
    case data::EventLogInfo::Market::Unsequenced: return "unsequenced";
  }
  return "unknown";
}

struct CheckArgs {
  std::vector<fs::path> files;
  bool json = false;
  bool strict = false;
  double min_feed_latency_ms = 1.0;
};

int run_check(const CheckArgs& args) {
  data::BookCheck check(policy_for(args.files));
  data::MarketReplayStats stats;
  data::MarketReplayOptions options;
  options.min_feed_latency = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, std::milli>(args.min_feed_latency_ms));
  if (auto ok = data::replay_market_files(args.files, check, stats, options); !ok) return report_error(ok.error());

  const data::BookCheckReport r = check.report();
  const std::uint64_t malformed = stats.recordings.malformed;
  if (args.json) {
    fmt::print(
        "{{\"files\":{},\"symbol\":{},\"market\":{},\"messages\":{},\"snapshots\":{},\"diffs\":{},\"trades\":{},"
        "\"tickers\":{},\"gaps\":{},\"crossed\":{},\"malformed\":{},\"skipped_messages\":{},\"stale_diffs\":{},"
        "\"skipped_diffs\":{},\"buffered_diffs\":{},\"state\":{},\"ticker_checks\":{},\"ticker_mismatches\":{},"
        "\"best_bid\":{},\"best_bid_qty\":{},\"best_ask\":{},\"best_ask_qty\":{},\"bid_levels\":{},"
        "\"ask_levels\":{}}}\n",
        args.files.size(), json_string(stats.symbol), json_string(market_name(stats.market)), r.messages, r.snapshots,
        r.diffs, r.trades, r.tickers, r.sync.gaps, r.sync.crossed, malformed, stats.recordings.skipped, r.sync.stale,
        r.sync.skipped, check.sync().buffered(), json_string(model::to_string(r.state)), r.ticker_checks,
        r.ticker_mismatches, json_decimal(r.best_bid ? std::optional(r.best_bid->price) : std::nullopt),
        json_decimal(r.best_bid ? std::optional(r.best_bid->quantity) : std::nullopt),
        json_decimal(r.best_ask ? std::optional(r.best_ask->price) : std::nullopt),
        json_decimal(r.best_ask ? std::optional(r.best_ask->quantity) : std::nullopt), r.bid_levels, r.ask_levels);
  } else {
    auto level = [](const std::optional<model::PriceLevel>& l) {
      return l ? fmt::format("{} x {}", l->price, l->quantity) : std::string("-");
    };
    fmt::print("files          {}\n", args.files.size());
    fmt::print("symbol         {} ({})\n", stats.symbol.empty() ? "-" : stats.symbol, market_name(stats.market));
    fmt::print("messages       {} (snapshots {}, diffs {}, trades {}, tickers {}; skipped {})\n", r.messages,
               r.snapshots, r.diffs, r.trades, r.tickers, stats.recordings.skipped);
    fmt::print("book           {}{}; gaps {}, crossed {}, stale diffs {}, skipped diffs {}, buffered {}\n",
               model::to_string(r.state),
               r.state == model::BookSyncState::OutOfSync ? fmt::format(" ({})", model::to_string(r.reason)) : "",
               r.sync.gaps, r.sync.crossed, r.sync.stale, r.sync.skipped, check.sync().buffered());
    fmt::print("malformed      {}\n", malformed);
    for (const auto& example : stats.recordings.malformed_examples) fmt::print("               {}\n", example);
    fmt::print("best bid       {}\n", level(r.best_bid));
    fmt::print("best ask       {}\n", level(r.best_ask));
    fmt::print("levels         bids {}, asks {}\n", r.bid_levels, r.ask_levels);
    fmt::print("ticker check   {} compared with the book, {} mismatches\n", r.ticker_checks, r.ticker_mismatches);
  }
  const bool clean = r.sync.gaps == 0 && r.sync.crossed == 0 && malformed == 0 && r.ticker_mismatches == 0;
  return args.strict && !clean ? 1 : 0;
}

struct ConvertArgs {
  std::vector<fs::path> inputs;
  fs::path output;
  std::string tick_size;
  std::string lot_size;
};

int run_convert(const ConvertArgs& args) {
  data::EventLogInfo info;
  if (!args.tick_size.empty()) {
    auto tick = Price::parse(args.tick_size);
    if (!tick) return report_error(Error(ErrorCode::InvalidArgument, "--tick-size: " + tick.error().message()));
    info.tick_size = *tick;
  }
  if (!args.lot_size.empty()) {
    auto lot = Quantity::parse(args.lot_size);
    if (!lot) return report_error(Error(ErrorCode::InvalidArgument, "--lot-size: " + lot.error().message()));
    info.lot_size = *lot;
  }
  auto converted = data::convert_to_event_log(args.inputs, args.output, info);
  if (!converted) return report_error(converted.error());
  const data::MarketReplayStats& stats = *converted;
  auto written = data::EventLogReader::open(args.output);
  if (!written) return report_error(written.error());
  const auto messages = written->info().messages;
  const auto events = written->info().events;
  std::error_code ec;
  std::uintmax_t input_bytes = 0;
  for (const auto& in : args.inputs) input_bytes += fs::file_size(in, ec);
  fmt::print("wrote {}: {} {} messages, {} events, {} bytes (inputs {} bytes); {} malformed lines skipped\n",
             args.output.string(), stats.symbol, messages, events, fs::file_size(args.output, ec), input_bytes,
             stats.recordings.malformed);
  return 0;
}

struct SynthArgs {
  std::int64_t seconds = 60;
  std::uint64_t seed = 1;
  std::string symbol = "BTCUSDT";
  fs::path output;
};

int run_synth(const SynthArgs& args) {
  data::SyntheticMarketConfig config;
  config.seconds = args.seconds;
  config.seed = args.seed;
  config.symbol = args.symbol;
  std::uint64_t events = 0;
  auto stats = data::write_synthetic_log(config, args.output, &events);
  if (!stats) return report_error(stats.error());
  fmt::print("wrote {}: {} s of synthetic {} (seed {}): {} diffs, {} trades, {} tickers, {} events\n",
             args.output.string(), args.seconds, config.symbol, args.seed, stats->diffs, stats->trades, stats->tickers,
             events);
  return 0;
}

}  // namespace

void add_data_commands(CLI::App& root, int* exit_code) {
  CLI::App* data_cmd = root.add_subcommand("data", "Market-data files: check, convert, synthesize");
  data_cmd->require_subcommand(1);

  auto check_args = std::make_shared<CheckArgs>();
  CLI::App* check = data_cmd->add_subcommand(
      "check", "Replay files in order (a later file continues the book) and report what they hold");
  check->add_option("files", check_args->files, "Recordings (.gz or text) or event logs")
      ->required()
      ->check(CLI::ExistingFile);
  check->add_flag("--json", check_args->json, "Print one JSON object");
  check->add_flag("--strict", check_args->strict, "Exit 1 when gaps, crossed books or malformed lines are found");
  check->add_option("--min-feed-latency", check_args->min_feed_latency_ms,
                    "Floor on feed latency used to correct local times, ms")
      ->check(CLI::Range(0.0, 60'000.0))
      ->capture_default_str();
  check->callback([check_args, exit_code] { *exit_code = run_check(*check_args); });

  auto convert_args = std::make_shared<ConvertArgs>();
  CLI::App* convert = data_cmd->add_subcommand("convert", "Convert recordings to colibri's binary event log");
  convert->add_option("inputs", convert_args->inputs, "Recordings in replay order")->required()->check(CLI::ExistingFile);
  convert->add_option("-o,--output", convert_args->output, "Event log to write")->required();
  convert->add_option("--tick-size", convert_args->tick_size, "Instrument tick size recorded in the header");
  convert->add_option("--lot-size", convert_args->lot_size, "Instrument lot size recorded in the header");
  convert->callback([convert_args, exit_code] { *exit_code = run_convert(*convert_args); });

  auto synth_args = std::make_shared<SynthArgs>();
  CLI::App* synth = data_cmd->add_subcommand(
      "synth", "Write a seeded synthetic market (calibrated to Binance spot BTCUSDT) as an event log");
  synth->add_option("--seconds", synth_args->seconds, "Length of the market")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{30 * 86'400}))
      ->capture_default_str();
  synth->add_option("--seed", synth_args->seed, "Random seed: the same seed gives the same file")->capture_default_str();
  synth->add_option("--symbol", synth_args->symbol, "Symbol written in the file")->capture_default_str();
  synth->add_option("-o,--output", synth_args->output, "Event log to write")->required();
  synth->callback([synth_args, exit_code] { *exit_code = run_synth(*synth_args); });
}

}  // namespace colibri::app
