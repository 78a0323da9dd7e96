#include "colibri/app/backtest_command.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "colibri/app/backtest_config.h"
#include "colibri/app/backtest_report.h"
#include "colibri/app/cli_output.h"
#include "colibri/core/json_text.h"
#include "colibri/runtime/backtest_engine.h"
#include "colibri/strategy/pure_market_making.h"

namespace colibri::app {
namespace {

namespace fs = std::filesystem;

std::string json_balances(const std::vector<runtime::AssetAmount>& balances) {
  std::string out = "{";
  for (const auto& b : balances) {
    if (out.size() > 1) out += ",";
    out += fmt::format("{}:{}", json_string(b.asset.view()), json_string(b.amount.to_string()));
  }
  return out + "}";
}

// A JSON number (shortest round-trip text, deterministic), or null when not finite.
std::string json_number(double value) { return std::isfinite(value) ? fmt::format("{}", value) : "null"; }

std::string metrics_json(const runtime::PerformanceMetrics& m) {
  const double interval = std::chrono::duration<double>(m.ratio_interval).count();
  return fmt::format(
      "{{\"realized_pnl\":{},\"unrealized_pnl\":{},\"fees_quote\":{},\"total_pnl\":{},"
      "\"traded_volume_base\":{},\"traded_volume_quote\":{},\"fill_count\":{},\"buy_fills\":{},\"sell_fills\":{},"
      "\"maker_share\":{},\"fill_ratio\":{},\"start_value\":{},\"end_value\":{},\"hold_value\":{},"
      "\"return_pct\":{},\"hold_return_pct\":{},\"return_vs_hold_pct\":{},\"sharpe\":{},\"sortino\":{},"
      "\"ratio_interval_seconds\":{},\"max_drawdown_pct\":{},\"max_drawdown_quote\":{},\"spread_captured_bps\":{},"
      "\"adverse_selection_1s_bps\":{},\"adverse_selection_10s_bps\":{},\"adverse_selection_1s_fills\":{},"
      "\"adverse_selection_10s_fills\":{},\"fees_in_other_assets\":{}}}",
      json_string(m.realized_pnl.to_string()), json_string(m.unrealized_pnl.to_string()),
      json_string(m.fees_quote.to_string()), json_string(m.total_pnl.to_string()),
      json_string(m.traded_volume_base.to_string()), json_string(m.traded_volume_quote.to_string()), m.fill_count,
      m.buy_fills, m.sell_fills, json_number(m.maker_share), json_number(m.fill_ratio),
      json_string(m.start_value.to_string()), json_string(m.end_value.to_string()),
      json_string(m.hold_value.to_string()), json_number(m.return_pct), json_number(m.hold_return_pct),
      json_number(m.return_vs_hold_pct), json_number(m.sharpe), json_number(m.sortino), json_number(interval),
      json_number(m.max_drawdown_pct), json_string(m.max_drawdown_quote.to_string()),
      json_number(m.spread_captured_bps), json_number(m.adverse_selection_1s_bps),
      json_number(m.adverse_selection_10s_bps), m.adverse_selection_1s_fills, m.adverse_selection_10s_fills,
      m.other_fee_assets);
}

std::string book_json(const model::BookSyncStats& b) {
  return fmt::format(R"({{"snapshots":{},"diffs":{},"applied":{},"stale":{},"skipped":{},"gaps":{}}})", b.snapshots,
                     b.diffs, b.applied, b.stale, b.skipped, b.gaps);
}

// The markets' symbols (or bases), joined for the one-line fields of the summary.
std::string joined(const runtime::BacktestConfig& config, std::string model::TradingRules::*field) {
  std::string out;
  for (const auto& m : config.markets) out += (out.empty() ? "" : ",") + m.rules.*field;
  return out;
}

// How many data files the run replayed, all markets together.
std::uint64_t data_file_count(const runtime::BacktestResult& r) {
  std::uint64_t files = 0;
  for (const runtime::MarketResult& market : r.markets) files += market.data_files;
  return files;
}

// summary.json: "symbol" and "base" name every market (comma-separated); "exchange_book" adds the
// markets' counts up; "metrics" are the portfolio's; "markets" holds each market's own figures.
std::string summary_json(const BacktestConfigFile& config, const runtime::BacktestResult& r) {
  const auto& o = r.orders;
  model::BookSyncStats book;
  std::string markets;
  for (std::size_t i = 0; i < r.markets.size(); ++i) {
    const runtime::MarketResult& m = r.markets[i];
    const auto& b = m.exchange_book;
    book.snapshots += b.snapshots;
    book.diffs += b.diffs;
    book.applied += b.applied;
    book.stale += b.stale;
    book.skipped += b.skipped;
    book.gaps += b.gaps;
    markets += fmt::format(
        R"({}{{"symbol":{},"base":{},"data_files":{},"records":{},"events":{},"exchange_book":{},"metrics":{}}})",
        i == 0 ? "" : ",", json_string(m.symbol.view()), json_string(config.backtest.markets[i].rules.base),
        m.data_files, m.records, m.events, book_json(b), metrics_json(m.metrics));
  }
  return fmt::format(
      "{{\"strategy\":{},\"symbol\":{},\"base\":{},\"quote\":{},\"data_files\":{},\"records\":{},\"events\":{},"
      "\"orders\":{{\"created\":{},\"completed\":{},\"cancelled\":{},\"failed\":{},\"expired\":{},\"lost\":{}}},"
      "\"fills\":{},\"samples\":{},\"starting_balances\":{},\"final_balances\":{},\"start_time\":{},\"end_time\":{},"
      "\"shutdown_complete\":{},\"open_orders_at_end\":{},\"exchange_book\":{},\"metrics\":{},\"markets\":[{}]}}",
      json_string(config.strategy), json_string(joined(config.backtest, &model::TradingRules::symbol)),
      json_string(joined(config.backtest, &model::TradingRules::base)),
      json_string(config.backtest.markets.front().rules.quote), data_file_count(r), r.records, r.events,
      o.created, o.completed, o.cancelled, o.failed, o.expired, o.lost, r.metrics.fill_count, r.samples,
      json_balances(r.starting_balances), json_balances(r.final_balances), json_string(r.start_time.to_iso8601()),
      json_string(r.end_time.to_iso8601()), r.shutdown_complete ? "true" : "false", r.open_orders_at_end,
      book_json(book), metrics_json(r.metrics), markets);
}

Result<void> write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return fail(ErrorCode::Io, "{}: cannot write", path.string());
  return {};
}

std::string price_or_empty(const std::optional<Price>& p) { return p ? p->to_string() : std::string(); }

// Streams fills.csv, orders.csv and series.csv as the run goes (buffered stdio), and draws the
// progress bar on stderr when it is a terminal.
class CsvRecorder final : public runtime::BacktestRecorder {
 public:
  static Result<std::unique_ptr<CsvRecorder>> open(const fs::path& dir, bool progress) {
    auto recorder = std::unique_ptr<CsvRecorder>(new CsvRecorder(progress));
    for (auto [file, name, header] :
         {std::tuple{&recorder->fills_, "fills.csv", "time,symbol,order_id,side,price,quantity,fee,fee_asset,liquidity"},
          std::tuple{&recorder->orders_, "orders.csv",
                     "created,ended,symbol,order_id,side,type,price,quantity,filled,status,message"},
          std::tuple{&recorder->series_, "series.csv",
                     "time,symbol,mid,best_bid,best_ask,bid_quote,ask_quote,base_balance,quote_balance,equity,pnl,"
                     "drawdown_pct"}}) {
      const fs::path path = dir / name;
      file->path = path;
      file->handle = std::fopen(path.c_str(), "wb");
      if (file->handle == nullptr) return fail(ErrorCode::Io, "{}: cannot write", path.string());
      fmt::print(file->handle, "{}\n", header);
    }
    return recorder;
  }
  CsvRecorder(const CsvRecorder&) = delete;
  CsvRecorder& operator=(const CsvRecorder&) = delete;
  ~CsvRecorder() override {
    for (File* f : {&fills_, &orders_, &series_}) {
      if (f->handle != nullptr) std::fclose(f->handle);
    }
  }

  void on_fill(const model::OrderFilled& f) override {
    fmt::print(fills_.handle, "{},{},{},{},{},{},{},{},{}\n", f.time.to_iso8601(), f.symbol.view(), f.client_order_id.view(),
               model::to_string(f.side), f.price, f.amount, f.fee.amount, f.fee.asset.view(),
               model::to_string(f.liquidity));
  }
  void on_order_closed(const runtime::OrderRecord& o) override {
    fmt::print(orders_.handle, "{},{},{},{},{},{},{},{},{},{},{}\n",
               o.created.is_none() ? "" : o.created.to_iso8601(), o.ended.is_none() ? "" : o.ended.to_iso8601(),
               o.symbol.view(), o.client_order_id.view(), model::to_string(o.side), model::to_string(o.type),
               o.created.is_none() ? "" : o.price.to_string(), o.created.is_none() ? "" : o.quantity.to_string(),
               o.filled, o.status, csv_field(o.message));
  }
  void on_sample(const runtime::SeriesSample& s) override {
    const bool marked = s.equity.marked;
    fmt::print(series_.handle, "{},{},{},{},{},{},{},{},{},{},{},{}\n", s.time.to_iso8601(), s.symbol.view(),
               price_or_empty(s.mid),
               price_or_empty(s.best_bid), price_or_empty(s.best_ask), price_or_empty(s.bid_quote),
               price_or_empty(s.ask_quote), s.base, s.quote, marked ? s.equity.equity.to_string() : "",
               marked ? s.equity.pnl.to_string() : "", marked ? fmt::format("{:.6f}", s.equity.drawdown_pct) : "");
  }
  void on_progress(std::uint64_t replayed, std::uint64_t total) override {
    if (!progress_ || total == 0) return;
    const double fraction = std::min(1.0, static_cast<double>(replayed) / static_cast<double>(total));
    constexpr int kWidth = 40;
    const int filled = static_cast<int>(fraction * kWidth);
    fmt::print(stderr, "\r[{:<{}}] {:5.1f}%  {} / {} records", std::string(static_cast<std::size_t>(filled), '#'),
               kWidth, 100 * fraction, replayed, total);
    if (replayed >= total) fmt::print(stderr, "\n");
    std::fflush(stderr);
  }

  // Flushes and closes the files; an Io error names the first that failed.
  Result<void> close() {
    for (File* f : {&fills_, &orders_, &series_}) {
      const bool bad = std::ferror(f->handle) != 0;
      const bool close_failed = std::fclose(f->handle) != 0;
      f->handle = nullptr;
      if (bad || close_failed) return fail(ErrorCode::Io, "{}: cannot write", f->path.string());
    }
    return {};
  }

 private:
  struct File {
    fs::path path;
    std::FILE* handle = nullptr;
  };
  explicit CsvRecorder(bool progress) : progress_(progress) {}

  // A free-text CSV field: quoted when it holds a comma, quote or line break.
  static std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (char c : text) {
      if (c == '"') out += '"';
      out += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return out + "\"";
  }

  File fills_;
  File orders_;
  File series_;
  bool progress_;
};

// Peak resident memory of this process, bytes (Linux reports ru_maxrss in KiB).
std::uint64_t peak_memory_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
}

std::string run_json(const runtime::BacktestResult& r, double wall_seconds) {
  const double eps = wall_seconds > 0 ? static_cast<double>(r.events) / wall_seconds : 0;
  const double rps = wall_seconds > 0 ? static_cast<double>(r.records) / wall_seconds : 0;
  return fmt::format(
      "{{\"wall_seconds\":{:.3f},\"events\":{},\"events_per_second\":{:.0f},\"records\":{},"
      "\"records_per_second\":{:.0f},\"simulated_seconds\":{:.3f},\"peak_memory_bytes\":{}}}\n",
      wall_seconds, r.events, eps, r.records, rps, std::chrono::duration<double>(r.elapsed).count(),
      peak_memory_bytes());
}

std::string fixed2(double value) { return std::isfinite(value) ? fmt::format("{:.2f}", value) : "n/a"; }

void print_summary(const BacktestConfigFile& config, const runtime::BacktestResult& r, const fs::path& out,
                   const fs::path& report, double wall_seconds) {
  const auto& o = r.orders;
  const auto& m = r.metrics;
  const std::string& quote = config.backtest.markets.front().rules.quote;
  fmt::print("strategy       {} on {}\n", config.strategy, joined(config.backtest, &model::TradingRules::symbol));
  fmt::print("replayed       {} records ({} events) from {} file(s), {} to {}, in {:.2f} s\n", r.records,
             r.events, data_file_count(r), r.start_time.to_iso8601(), r.end_time.to_iso8601(), wall_seconds);
  fmt::print("orders         created {}, filled {}, cancelled {}, failed {}, expired {}, lost {}\n", o.created,
             o.completed, o.cancelled, o.failed, o.expired, o.lost);
  fmt::print("fills          {} ({} buys, {} sells), maker share {:.1f} %, fill ratio {:.1f} %\n", m.fill_count,
             m.buy_fills, m.sell_fills, 100 * m.maker_share, 100 * m.fill_ratio);
  if (r.markets.size() == 1) {
    fmt::print("volume         {} {} / {} {}\n", m.traded_volume_base, config.backtest.markets.front().rules.base,
               m.traded_volume_quote.to_string(), quote);
  } else {
    fmt::print("volume         {} {}\n", m.traded_volume_quote.to_string(), quote);
    for (std::size_t i = 0; i < r.markets.size(); ++i) {
      const runtime::PerformanceMetrics& mm = r.markets[i].metrics;
      fmt::print("  {:<12} {} fills, volume {} {} / {} {}, pnl {} {}\n", r.markets[i].symbol.view(), mm.fill_count,
                 mm.traded_volume_base, config.backtest.markets[i].rules.base, mm.traded_volume_quote.to_string(),
                 quote, fixed2(mm.total_pnl.to_double()), quote);
    }
  }
  fmt::print("pnl            total {} {} = realized {} + unrealized {} - fees {}\n", fixed2(m.total_pnl.to_double()),
             quote, fixed2(m.realized_pnl.to_double()), fixed2(m.unrealized_pnl.to_double()),
             fixed2(m.fees_quote.to_double()));
  fmt::print("return         {} % (hold {} %, versus hold {} %)\n", fixed2(m.return_pct), fixed2(m.hold_return_pct),
             fixed2(m.return_vs_hold_pct));
  fmt::print("risk           max drawdown {} % ({} {}), Sharpe {}, Sortino {} (annualized, {} s returns)\n",
             fixed2(m.max_drawdown_pct), fixed2(m.max_drawdown_quote.to_double()), quote, fixed2(m.sharpe),
             fixed2(m.sortino), std::chrono::duration<double>(m.ratio_interval).count());
  fmt::print("execution      spread captured {} bps, adverse selection {} bps at 1 s, {} bps at 10 s\n",
             fixed2(m.spread_captured_bps), fixed2(m.adverse_selection_1s_bps), fixed2(m.adverse_selection_10s_bps));
  fmt::print("{:<14} {:>24} {:>24}\n", "balance", "start", "end");
  for (const auto& end : r.final_balances) {
    std::string start = "0";
    for (const auto& s : r.starting_balances) {
      if (s.asset == end.asset) start = s.amount.to_string();
    }
    fmt::print("{:<14} {:>24} {:>24}\n", end.asset.view(), start, end.amount.to_string());
  }
  fmt::print("shutdown       {}{}\n", r.shutdown_complete ? "complete" : "incomplete",
             r.open_orders_at_end ? fmt::format(", {} orders still open", r.open_orders_at_end) : "");
  fmt::print("wrote          {}/{{summary.json, run.json, fills.csv, orders.csv, series.csv}}\n", out.string());
  fmt::print("report         {}\n", report.string());
}

struct BacktestArgs {
  fs::path config;
  std::vector<fs::path> data;
  fs::path out = "out/backtest";
  bool json = false;
};

int run_backtest(const BacktestArgs& args) {
  auto loaded = load_backtest_config(args.config);
  if (!loaded) return report_error(loaded.error());
  BacktestConfigFile config = std::move(*loaded);
  if (!args.data.empty()) {
    if (config.backtest.markets.size() != 1) {
      return report_error(Error(ErrorCode::InvalidArgument,
                                fmt::format("{}: --data replaces the data of one market; with `markets:` each market "
                                            "lists its own data in the config",
                                            args.config.string())));
    }
    config.backtest.markets.front().data_files = args.data;
  }
  for (const auto& market : config.backtest.markets) {
    if (!market.data_files.empty()) continue;
    return report_error(Error(ErrorCode::InvalidArgument,
                              fmt::format("{}: no data for {}: give `data:` in the config or --data FILE",
                                          args.config.string(), market.rules.symbol)));
  }
  config.backtest.keep_fills = false;  // the recorder streams them to fills.csv

  std::error_code ec;
  fs::create_directories(args.out, ec);
  if (ec) return report_error(Error(ErrorCode::Io, fmt::format("{}: cannot create: {}", args.out.string(), ec.message())));
  auto recorder = CsvRecorder::open(args.out, !args.json && isatty(STDERR_FILENO) != 0);
  if (!recorder) return report_error(recorder.error());

  // One pure_market_making per market, each with its parameters, all on the one connector.
  std::vector<runtime::StrategyFactory> factories;
  for (std::size_t i = 0; i < config.backtest.markets.size(); ++i) {
    const strategy::PureMarketMakingConfig pmm = config.market_parameters[i];
    const auto symbol = model::Symbol::truncating(config.backtest.markets[i].rules.symbol);  // length checked on load
    const std::string name = config.backtest.markets.size() == 1 ? std::string("pure_market_making")
                                                                 : fmt::format("pure_market_making {}", symbol.view());
    factories.emplace_back([pmm, symbol, name](connector::Connector& connector, Scheduler& scheduler) {
      strategy::StrategyContext context{name, {&connector}, &scheduler};
      return std::make_unique<strategy::PureMarketMaking>(std::move(context),
                                                          strategy::MarketTradingPair{&connector, symbol}, pmm);
    });
  }
  const auto wall_start = std::chrono::steady_clock::now();
  auto result = runtime::BacktestEngine(config.backtest).run(factories, recorder->get());
  const double wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (!result) {
    recorder->reset();  // a failed run leaves no partial output
    for (const char* name : {"fills.csv", "orders.csv", "series.csv"}) fs::remove(args.out / name, ec);
    return report_error(result.error());
  }
  if (auto ok = (*recorder)->close(); !ok) return report_error(ok.error());

  const std::string summary = summary_json(config, *result);
  if (auto ok = write_file(args.out / "summary.json", summary + "\n"); !ok) return report_error(ok.error());
  if (auto ok = write_file(args.out / "run.json", run_json(*result, wall_seconds)); !ok) return report_error(ok.error());

  // The report is drawn from the files just written (colibri report DIR redraws it).
  auto report = write_backtest_report(args.out);
  if (!report) return report_error(report.error());

  if (args.json) {
    fmt::print("{}\n", summary);
    return 0;
  }
  print_summary(config, *result, args.out, *report, wall_seconds);
  return 0;
}

}  // namespace

void add_backtest_command(CLI::App& root, int* exit_code) {
  auto args = std::make_shared<BacktestArgs>();
  CLI::App* cmd = root.add_subcommand("backtest", "Run a strategy from a config file over market-data files");
  cmd->add_option("config", args->config, "Backtest config (YAML; see examples/pmm.yml)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--data", args->data, "Event logs to replay, in order (replace the config's data:)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "Directory for summary.json, run.json, fills.csv, orders.csv, series.csv")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the summary as one JSON object");
  cmd->callback([args, exit_code] { *exit_code = run_backtest(*args); });
}

}  // namespace colibri::app
