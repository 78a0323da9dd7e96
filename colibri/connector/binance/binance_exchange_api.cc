#include "colibri/connector/binance/binance_exchange_api.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>

#include "colibri/core/ascii.h"
#include "colibri/core/inline_function.h"
#include "colibri/core/log.h"
#include "colibri/net/http_client.h"
#include "colibri/net/http/websocket.h"
#include "colibri/venue/binance/api_errors.h"
#include "colibri/venue/binance/api_parser.h"
#include "colibri/venue/binance/message_parser.h"
#include "colibri/venue/binance/requests.h"
#include "colibri/venue/binance/time_sync.h"

namespace colibri::connector::binance {

namespace vb = venue::binance;

Result<net::Endpoint> parse_base_url(std::string_view url, std::string ca_file) {
  net::Endpoint endpoint;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return fail(ErrorCode::InvalidArgument, "base URL \"{}\": no scheme (https:// or wss://)", url);
  }
  const std::string_view scheme = url.substr(0, scheme_end);
  std::uint16_t default_port = 0;
  if (scheme == "https" || scheme == "wss") {
    endpoint.tls = true;
    default_port = 443;
  } else if (scheme == "http" || scheme == "ws") {
    default_port = 80;
  } else {
    return fail(ErrorCode::InvalidArgument, "base URL \"{}\": scheme \"{}\" is not http, https, ws or wss",
                url, scheme);
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) {
    return fail(ErrorCode::InvalidArgument,
                "base URL \"{}\": a path is not expected (only scheme://host[:port])", url);
  }
  const std::size_t colon = rest.rfind(':');
  std::string_view host = rest;
  endpoint.port = default_port;
  if (colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    const std::string_view port = rest.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      return fail(ErrorCode::InvalidArgument, "base URL \"{}\": port \"{}\" is not 1..65535", url, port);
    }
    endpoint.port = static_cast<std::uint16_t>(value);
  }
  if (host.empty()) return fail(ErrorCode::InvalidArgument, "base URL \"{}\": no host", url);
  endpoint.host = std::string(host);
  endpoint.ca_file = std::move(ca_file);
  return endpoint;
}

namespace {

// What a REST call is, for errors and logs: "place order clbB...", "depth snapshot of BTCUSDT"
// (never a secret). Text only when an error or a log line needs it, not for every request.
struct CallName {
  std::string_view action;  // a literal
  FixedString<36> subject;  // a client order id, a symbol, or nothing
  [[nodiscard]] std::string text() const {
    return subject.empty() ? std::string(action) : fmt::format("{} {}", action, subject.view());
  }
};

// What a RestCall sends: the endpoint, and the query string (a POST's form body), a view of the
// RequestBuilder's buffer (or a literal) valid until the builder's next call.
struct RestTarget {
  vb::Endpoint endpoint;
  std::string_view query;
};

// One REST request of this api, built when it is written (a signed request's timestamp is then).
// Its callbacks are stored inline up to the sizes below (the largest are a place order's: its
// builder holds the whole OrderRequest), so making a call does not allocate; place_order checks
// that its own fit.
struct RestCall {
  static constexpr std::size_t kBuildInline = 152;
  static constexpr std::size_t kAnswerInline = 72;
  CallName what;
  bool is_signed = false;
  bool order_channel = false;  // place / cancel: their own connection, so queries never wait behind them
  int clock_resends = 0;
  // Set on the requests the api makes on its own: they ask its own limiter before they are written
  // (ExchangeBase's limiter already admitted the others).
  std::optional<RequestKindId> own_kind;
  InlineFunction<Result<RestTarget>(), kBuildInline> build;
  InlineFunction<void(const net::HttpResponse&), kAnswerInline> on_success;  // 2xx
  InlineFunction<void(const Error&), kAnswerInline> on_failure;              // anything else, classified
};

// The kinds of the requests the api makes on its own, resolved once (binance_spot's names).
struct OwnKinds {
  RequestKindId depth;  // the configured snapshot size's weight
  RequestKindId server_time;
  RequestKindId exchange_info;
  RequestKindId open_orders;
  RequestKindId account;
};

OwnKinds resolve_own_kinds(const RateLimiter& limiter, int depth_limit) {
  namespace spot = binance_spot;
  const std::string_view depth = depth_limit <= 100    ? spot::kDepth100
                                 : depth_limit <= 500  ? spot::kDepth500
                                 : depth_limit <= 1000 ? spot::kDepth1000
                                                       : spot::kDepth5000;
  const auto kind = [&limiter](std::string_view id) { return value_or_throw(limiter.find_kind(id)); };
  return OwnKinds{kind(depth), kind(spot::kServerTime), kind(spot::kExchangeInfo), kind(spot::kOpenOrders),
                  kind(spot::kAccount)};
}

// Exponential backoff between reconnects.
struct Backoff {
  Duration next{};
  void reset(Duration min) { next = min; }
  Duration take(Duration min, Duration max) {
    if (next < min) next = min;
    const Duration now = next;
    next = std::min(next * 2, max);
    return now;
  }
};

}  // namespace

// Invariants: (1) a signed RestCall is written only while clock.synchronised(); (2) nothing is
// written before blocked_until; (3) user_up implies user_ws is open and subscribed; (4) poll_timer is
// set exactly while the user stream is down after having been asked for.
struct BinanceExchangeApi::Impl : std::enable_shared_from_this<Impl> {
  struct Market {
    model::Symbol symbol;
    std::string stream_name;  // lower case
    bool snapshot_pending = false;
    bool snapshot_since_connect = false;
    std::optional<model::BookTicker> ticker;
    std::int64_t last_trade_id = -1;
  };

  Impl(LiveScheduler& s, BinanceApiConfig c)
      : scheduler(s),
        config(std::move(c)),
        rest(s, config.rest),
        rest_orders(s, config.rest),
        builder(config.api_secret, config.recv_window),
        clock(value_or_throw(vb::ServerClock::create())),
        own_limiter(value_or_throw(RateLimiter::create(config.own_rate_limits))),
        own_kinds(resolve_own_kinds(own_limiter, config.depth_limit)) {
    if (!config.api_key.empty()) logging::register_secret(config.api_key);
    if (!config.api_secret.empty()) logging::register_secret(config.api_secret);
  }

  ~Impl() {
    for (TimerId t : {block_timer, rate_timer, poll_timer, user_retry_timer, market_retry_timer, watchdog_timer,
                      time_retry_timer, time_refresh_timer, rotate_timer}) {
      if (!t.is_none()) scheduler.cancel(t);
    }
    if (user_ws) {
      user_ws->set_handlers({});
      user_ws->close();
    }
    if (market_ws) {
      market_ws->set_handlers({});
      market_ws->close();
    }
  }

  std::weak_ptr<Impl> weak() { return weak_from_this(); }

  // Runs `fn` on the loop after the current call returns (answers never come inside a request).
  template <typename Fn>
  void later(Fn fn) {
    scheduler.post([w = weak(), fn = std::move(fn)]() mutable {
      if (auto self = w.lock()) fn(*self);
    });
  }

  // ---------------------------------------------------------------- REST

  void submit(RestCall call) {
    const Timestamp now = scheduler.now();
    if (call.is_signed && (!clock.synchronised() || syncing)) {
      ++stats.rest_deferred;
      waiting_clock.push_back(std::move(call));
      start_time_sync();
      return;
    }
    if (now < blocked_until) {
      ++stats.rest_deferred;
      waiting_block.push_back(std::move(call));
      arm_block_timer();
      return;
    }
    if (call.own_kind && !admit_own(call, now)) return;
    Result<RestTarget> target = call.build();
    if (!target) {
      // Rare (a request the builder refuses): the call is boxed to fit the posted task.
      later([call = std::make_shared<RestCall>(std::move(call)), error = target.error()](Impl&) {
        call->on_failure(error);
      });
      return;
    }
    // Views only: the client serialises the request before send() returns.
    const bool form = target->endpoint.method == "POST";
    std::array<net::HttpHeaderRef, 2> headers;
    std::size_t header_count = 0;
    if (form) headers[header_count++] = {"Content-Type", "application/x-www-form-urlencoded"};
    if (call.is_signed) headers[header_count++] = {vb::kApiKeyHeader, config.api_key.reveal()};
    const net::HttpRequestRef request{target->endpoint.method, target->endpoint.path, form ? "" : target->query,
                                      std::span(headers.data(), header_count), form ? target->query : ""};
    ++stats.rest_requests;
    net::HttpClient& client = call.order_channel ? rest_orders : rest;
    std::unique_ptr<RestCall> box = take_call_box();
    *box = std::move(call);
    client.send(request, [w = weak(), box = std::move(box)](Result<net::HttpResponse> answer) mutable {
      if (auto self = w.lock()) self->on_rest_answer(std::move(box), answer);
    });
  }

  // A RestCall waiting for its answer lives in a box (the client's callback holds a pointer to it,
  // not the call); answered calls give their box back, so in steady state no box is allocated.
  std::unique_ptr<RestCall> take_call_box() {
    if (spare_call_boxes.empty()) return std::make_unique<RestCall>();
    std::unique_ptr<RestCall> box = std::move(spare_call_boxes.back());
    spare_call_boxes.pop_back();
    return box;
  }

  void arm_block_timer() {
    if (!block_timer.is_none()) return;
    block_timer = scheduler.schedule_at(blocked_until, [w = weak()](Timestamp) {
      auto self = w.lock();
      if (!self) return;
      self->block_timer = TimerId::none();
      if (self->scheduler.now() < self->blocked_until) {
        self->arm_block_timer();
        return;
      }
      std::vector<RestCall> calls = std::move(self->waiting_block);
      self->waiting_block.clear();
      for (RestCall& c : calls) self->submit(std::move(c));
    });
  }

  void block_until(Timestamp until) {
    if (until > blocked_until) blocked_until = until;
    own_limiter.block_until(until);
  }

  // An own request asks the api's limiter; one it refuses waits, in order, until the time the
  // limiter names (the calls waiting then ask again: another may have taken the room meanwhile).
  bool admit_own(RestCall& call, Timestamp now) {
    const RateAdmission admission = own_limiter.acquire(*call.own_kind, now);
    if (admission) return true;
    ++stats.rest_held_for_rate;
    waiting_rate.push_back(std::move(call));
    arm_rate_timer(admission.retry_at);
    return false;
  }

  void arm_rate_timer(Timestamp at) {
    if (!rate_timer.is_none()) {
      if (rate_retry_at <= at) return;
      scheduler.cancel(rate_timer);
    }
    rate_retry_at = at;
    rate_timer = scheduler.schedule_at(at, [w = weak()](Timestamp) {
      auto self = w.lock();
      if (!self) return;
      self->rate_timer = TimerId::none();
      std::vector<RestCall> calls = std::move(self->waiting_rate);
      self->waiting_rate.clear();
      for (RestCall& c : calls) self->submit(std::move(c));
    });
  }

  Duration offset() const { return clock.offset().value_or(Duration::zero()); }

  void on_rest_answer(std::unique_ptr<RestCall> box, const Result<net::HttpResponse>& answer) {
    RestCall call = std::move(*box);
    spare_call_boxes.push_back(std::move(box));
    if (!answer) {
      const bool not_sent = answer.error().code() == ErrorCode::Disconnected;
      const vb::ErrorClass cls =
          vb::classify(not_sent ? vb::TransportFailure::NotSent : vb::TransportFailure::NoAnswer);
      if (cls.error == ErrorCode::Ambiguous) ++stats.ambiguous;
      call.on_failure(Error(cls.error, fmt::format("{}: {}", call.what.text(), answer.error().message())));
      return;
    }
    const net::HttpResponse& response = *answer;
    report_rate_usage(response);  // first: the listener's limiter knows before it reacts
    if (response.status >= 200 && response.status < 300) {
      call.on_success(response);
      return;
    }
    vb::FailedRequest failed;
    failed.http_status = response.status;
    if (auto body = parser.parse_error(response.body)) failed.body = std::move(*body);
    if (const std::string* retry = response.header("Retry-After")) failed.retry_after_header = *retry;
    const vb::ErrorClass cls = vb::classify(failed, scheduler.now(), offset());
    const Error error = vb::to_error(cls, failed, call.what.text());
    switch (cls.action) {
      case vb::RecoveryAction::WaitUntil:
        ++stats.rate_limited;
        if (report_full_order_limit(failed)) {
          log_warn("binance: {}; new orders wait until the account's order window has room", error.describe());
          break;
        }
        block_until(cls.retry_at);
        log_warn(
            "binance: {}; nothing is sent for {} ms", error.describe(),
            std::chrono::duration_cast<std::chrono::milliseconds>(cls.retry_at - scheduler.now()).count());
        if (listener != nullptr) listener->on_rate_limited(cls.retry_at);
        break;
      case vb::RecoveryAction::ResyncClock:
        if (call.clock_resends < config.max_clock_resends) {
          ++call.clock_resends;
          ++stats.clock_resyncs;
          ++stats.clock_resends;
          log_warn("binance: {}; resynchronising the clock and resending", error.describe());
          clock.restart();
          waiting_clock.push_back(std::move(call));
          start_time_sync();
          return;
        }
        break;
      case vb::RecoveryAction::CheckCredentials:
        ++stats.credential_errors;
        log_error("binance: {} (check the API key, secret and permissions)", error.describe());
        break;
      case vb::RecoveryAction::QueryOrder:
        ++stats.ambiguous;
        break;
      case vb::RecoveryAction::None:
      case vb::RecoveryAction::Resend:
        break;
    }
    call.on_failure(error);
  }

  // -1015 (an ORDERS limit of the account) comes without Retry-After: nothing is over the IP's
  // limits, so only new orders must wait, until the full window has room ("wait for reactivation"
  // by exchangeInfo's ORDERS limits). The limit the message names is reported full to the
  // listener, whose limiter then holds orders, and only orders, for that window. False (the
  // caller blocks everything for the default wait) when the message names no limit.
  bool report_full_order_limit(const vb::FailedRequest& failed) {
    if (!failed.body || failed.body->code != -1015 || !failed.retry_after_header.empty() || listener == nullptr) {
      return false;
    }
    const std::optional<vb::RateLimitRule> full = vb::order_limit_in_message(failed.body->message);
    if (!full) return false;
    ++stats.rate_usage_headers;
    report_count(full->usage_header(), std::to_string(full->count));
    return true;
  }

  // One of Binance's counts, by its usage header's name: to the api's own limiter and to the
  // listener's (each holds its own requests back for what the exchange has counted).
  void report_count(std::string_view name, std::string_view value) {
    (void)own_limiter.update_from_header(name, value, scheduler.now());
    if (listener != nullptr) listener->on_rate_usage(name, value);
  }

  // Binance's own counts, in every REST answer (X-MBX-USED-WEIGHT-1M for the IP; after an order,
  // X-MBX-ORDER-COUNT-10S and -1D for the account): to the listener, whose limiter raises its count.
  void report_rate_usage(const net::HttpResponse& response) {
    for (const net::HttpHeader& header : response.headers) {
      if (!starts_with_ignoring_case(header.name, vb::kUsedWeightHeaderPrefix) &&
          !starts_with_ignoring_case(header.name, vb::kOrderCountHeaderPrefix)) {
        continue;
      }
      ++stats.rate_usage_headers;
      report_count(header.name, header.value);
    }
  }

  // The WebSocket API's counts, in its answers' rateLimits: the same figures as the REST usage
  // headers (Binance's REQUEST_WEIGHT is the IP's, REST and WebSocket API together), so they go
  // to the listener under the header's name (REQUEST_WEIGHT 1 MINUTE: X-MBX-USED-WEIGHT-1M).
  void report_rate_limits(std::span<const vb::RateLimitRule> limits) {
    for (const vb::RateLimitRule& rule : limits) {
      if (rule.count < 0) continue;
      const std::string header = rule.usage_header();
      if (header.empty()) continue;  // RAW_REQUESTS: no pool of the limiter reads it
      ++stats.ws_rate_limit_counts;
      report_count(header, std::to_string(rule.count));
    }
  }

  // A signed request's builder: `make` fills the query string from the builder at send time.
  template <typename Make>
  auto signed_builder(vb::Endpoint endpoint, Make make) {
    return [this, endpoint, make = std::move(make)]() -> Result<RestTarget> {
      Result<std::string_view> query = make(clock.signing_time(scheduler.now()));
      if (!query) return tl::unexpected(query.error());
      return RestTarget{endpoint, *query};
    };
  }

  // A failed answer with an unreadable body: the outcome is unknown.
  Error bad_answer(const CallName& what, const Error& parse_error) {
    ++stats.bad_messages;
    ++stats.ambiguous;
    const vb::ErrorClass cls = vb::classify(vb::TransportFailure::BadAnswer);
    return Error(cls.error, fmt::format("{}: unreadable answer: {}", what.text(), parse_error.message()));
  }

  // ---------------------------------------------------------------- time

  void start_time_sync() {
    if (syncing) return;
    syncing = true;
    good_samples = 0;
    take_time_sample();
  }

  // GET /api/v3/time; `sent` receives the local time it is written.
  RestCall time_request(const std::shared_ptr<Timestamp>& sent) {
    RestCall call;
    call.what = {"server time", {}};
    call.own_kind = own_kinds.server_time;
    call.build = [this, sent]() -> Result<RestTarget> {
      *sent = scheduler.now();
      return RestTarget{vb::kServerTime, ""};
    };
    return call;
  }

  void take_time_sample() {
    auto sent = std::make_shared<Timestamp>(Timestamp::none());
    RestCall call = time_request(sent);
    call.on_success = [this, sent](const net::HttpResponse& response) {
      auto server = parser.parse_server_time(response.body);
      if (server) {
        if (clock.add({*sent, *server, scheduler.now()})) ++good_samples;
      } else {
        ++stats.bad_messages;
      }
      if (good_samples >= config.time_samples) {
        finish_time_sync();
      } else {
        take_time_sample();
      }
    };
    call.on_failure = [this](const Error& error) {
      log_warn("binance: time sample failed: {}", error.describe());
      time_retry_timer = scheduler.schedule_after(
          time_backoff.take(config.reconnect_min, config.reconnect_max), [w = weak()](Timestamp) {
            if (auto self = w.lock()) {
              self->time_retry_timer = TimerId::none();
              self->take_time_sample();
            }
          });
    };
    submit(std::move(call));
  }

  // One more sample in the background (the clocks drift apart slowly); signed requests go on.
  void refresh_time() {
    if (syncing) return;
    auto sent = std::make_shared<Timestamp>(Timestamp::none());
    RestCall call = time_request(sent);
    call.on_success = [this, sent](const net::HttpResponse& response) {
      if (auto server = parser.parse_server_time(response.body)) {
        (void)clock.add({*sent, *server, scheduler.now()});  // a slow sample is refused: harmless
      } else {
        ++stats.bad_messages;
      }
    };
    call.on_failure = [](const Error& error) {
      log_debug("binance: time refresh failed: {}", error.describe());
    };
    submit(std::move(call));
  }

  void finish_time_sync() {
    syncing = false;
    if (time_refresh_timer.is_none()) {
      time_refresh_timer = scheduler.schedule_every(config.time_refresh_interval, [w = weak()](Timestamp) {
        if (auto self = w.lock()) self->refresh_time();
      });
    }
    time_backoff.reset(config.reconnect_min);
    log_info(
        "binance: clock synchronised, offset {} ms +- {} ms",
        std::chrono::duration_cast<std::chrono::milliseconds>(offset()).count(),
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.uncertainty().value_or(Duration::zero()))
            .count());
    std::vector<RestCall> calls = std::move(waiting_clock);
    waiting_clock.clear();
    for (RestCall& c : calls) submit(std::move(c));
    if (user_wanted && !user_ws && !user_connecting) connect_user();
    if (user_ws && !user_up && user_resubscribe_after_sync) {
      user_resubscribe_after_sync = false;
      send_user_subscribe();
    }
  }

  // ---------------------------------------------------------------- orders and account

  void remember(const model::OrderReport& report) {
    if (!report.exchange_order_id.empty()) exchange_ids[report.client_order_id] = report.exchange_order_id;
  }

  void place_order(const model::OrderRequest& request) {
    if (!rules.contains(request.symbol)) {
      waiting_rules.push_back(request);
      fetch_rules(false);
      return;
    }
    RestCall call;
    call.what = {"place order", request.client_order_id};
    call.is_signed = true;
    call.order_channel = true;
    auto build = signed_builder(vb::kOrderPlace, [this, request](Timestamp t) {
      return builder.place_order(request, rules.at(request.symbol), vb::OrderResponseType::Full, t);
    });
    const model::ClientOrderId id = request.client_order_id;
    auto on_success = [this, id](const net::HttpResponse& response) {
      auto parsed = parser.parse_order(response.body);
      if (!parsed) {
        deliver_place(id, tl::unexpected(bad_answer({"place order", id}, parsed.error())));
        return;
      }
      const std::vector<model::Fill> fills((*parsed)->fills.begin(), (*parsed)->fills.end());
      const model::OrderReport report = (*parsed)->report;
      remember(report);
      for (const model::Fill& fill : fills) listener->on_fill(fill);
      deliver_place(id, report);
    };
    auto on_failure = [this, id](const Error& error) { deliver_place(id, tl::unexpected(error)); };
    set_order_path_callbacks(call, std::move(build), std::move(on_success), std::move(on_failure));
    submit(std::move(call));
  }

  // Sets a place or cancel call's callbacks, checking at compile time that RestCall stores them
  // inline: the order path must not allocate (DESIGN.md decision 9).
  template <typename Build, typename OnSuccess, typename OnFailure>
  static void set_order_path_callbacks(RestCall& call, Build build, OnSuccess on_success, OnFailure on_failure) {
    static_assert(decltype(RestCall::build)::stores_inline<Build>);
    static_assert(decltype(RestCall::on_success)::stores_inline<OnSuccess>);
    static_assert(decltype(RestCall::on_failure)::stores_inline<OnFailure>);
    call.build = std::move(build);
    call.on_success = std::move(on_success);
    call.on_failure = std::move(on_failure);
  }

  void deliver_place(const model::ClientOrderId& id, const Result<model::OrderReport>& result) {
    if (listener != nullptr) listener->on_place_result(id, result);
  }

  // Who hears an order answer (order_call): a closed set, so that the callbacks stay small.
  enum class OrderAnswerFor : std::uint8_t {
    Cancel,      // the listener's on_cancel_result
    Query,       // the listener's on_order_query_result
    FillsQuery,  // query_fills, learning the exchange order id before asking for the fills
  };

  // cancel / query: the same shape (an order answer for one client order id).
  void order_call(OrderAnswerFor to, const model::Symbol& symbol, const model::ClientOrderId& id) {
    const bool cancel = to == OrderAnswerFor::Cancel;
    RestCall call;
    call.what = {cancel ? "cancel order" : "query order", id};
    call.is_signed = true;
    call.order_channel = cancel;
    auto build =
        signed_builder(cancel ? vb::kOrderCancel : vb::kOrderQuery, [this, cancel, symbol, id](Timestamp t) {
          return cancel ? builder.cancel_order(symbol, id, t)
                        : builder.query_order(symbol, id, t);
        });
    auto on_success = [this, to, symbol, id](const net::HttpResponse& response) {
      auto parsed = parser.parse_order(response.body);
      if (!parsed) {
        const CallName what{to == OrderAnswerFor::Cancel ? "cancel order" : "query order", id};
        deliver_order_answer(to, symbol, id, tl::unexpected(bad_answer(what, parsed.error())));
        return;
      }
      const model::OrderReport report = (*parsed)->report;
      remember(report);
      deliver_order_answer(to, symbol, id, report);
    };
    auto on_failure = [this, to, symbol, id](const Error& error) {
      deliver_order_answer(to, symbol, id, tl::unexpected(error));
    };
    set_order_path_callbacks(call, std::move(build), std::move(on_success), std::move(on_failure));  // a cancel
    submit(std::move(call));
  }

  void deliver_order_answer(OrderAnswerFor to, const model::Symbol& symbol, const model::ClientOrderId& id,
                            const Result<model::OrderReport>& result) {
    switch (to) {
      case OrderAnswerFor::Cancel:
        if (listener != nullptr) listener->on_cancel_result(id, result);
        return;
      case OrderAnswerFor::Query:
        if (listener != nullptr) listener->on_order_query_result(id, result);
        return;
      case OrderAnswerFor::FillsQuery:
        if (!result) {
          if (listener != nullptr) listener->on_fills_query_result(id, tl::unexpected(result.error()));
          return;
        }
        if (result->exchange_order_id.empty()) {
          if (listener != nullptr) {
            listener->on_fills_query_result(
                id,
                tl::unexpected(Error(ErrorCode::Corrupt, fmt::format("query fills of {}: no order id", id))));
          }
          return;
        }
        my_trades(symbol, id, result->exchange_order_id);
        return;
    }
  }

  void query_fills(const model::Symbol& symbol, const model::ClientOrderId& id) {
    auto found = exchange_ids.find(id);
    if (found == exchange_ids.end()) {
      // myTrades names orders by Binance's id: learn it first.
      order_call(OrderAnswerFor::FillsQuery, symbol, id);
      return;
    }
    my_trades(symbol, id, found->second);
  }

  void my_trades(const model::Symbol& symbol, const model::ClientOrderId& id,
                 const model::ExchangeOrderId& order) {
    RestCall call;
    call.what = {"query fills of", id};
    call.is_signed = true;
    call.build = signed_builder(vb::kMyTrades, [this, symbol, order](Timestamp t) {
      return builder.my_trades(symbol, order, t);
    });
    call.on_success = [this, id, what = call.what](const net::HttpResponse& response) {
      auto parsed = parser.parse_my_trades(response.body, id);
      if (!parsed) {
        listener->on_fills_query_result(id, tl::unexpected(bad_answer(what, parsed.error())));
        return;
      }
      const std::vector<model::Fill> fills(parsed->begin(), parsed->end());
      listener->on_fills_query_result(id, std::span<const model::Fill>(fills));
    };
    call.on_failure = [this, id](const Error& error) {
      listener->on_fills_query_result(id, tl::unexpected(error));
    };
    submit(std::move(call));
  }

  // `deliver` false: a poll (the answer still goes to the listener: it merges what it hears).
  // `own`: a request of the api's own (its polls), which its own limiter admits.
  void query_balances(std::optional<RequestKindId> own = std::nullopt) {
    RestCall call;
    call.what = {"account balances", {}};
    call.own_kind = own;
    call.is_signed = true;
    call.build = signed_builder(vb::kAccount, [this](Timestamp t) -> Result<std::string_view> {
      return builder.account(t);
    });
    call.on_success = [this, what = call.what](const net::HttpResponse& response) {
      auto parsed = parser.parse_account(response.body);
      if (!parsed) {
        listener->on_balances_result(tl::unexpected(bad_answer(what, parsed.error())));
        return;
      }
      const std::vector<model::Balance> balances(parsed->begin(), parsed->end());
      known_balances.clear();  // a REST answer has no event time: later deltas apply
      for (const model::Balance& b : balances) known_balances[b.asset] = KnownBalance{b, Timestamp::none()};
      ++stats.balance_answers;
      listener->on_balances_result(std::span<const model::Balance>(balances));
    };
    call.on_failure = [this](const Error& error) { listener->on_balances_result(tl::unexpected(error)); };
    submit(std::move(call));
  }

  void query_open_orders(const model::Symbol& symbol, std::optional<RequestKindId> own = std::nullopt) {
    RestCall call;
    call.what = {"open orders of", FixedString<36>::truncating(symbol.view())};
    call.own_kind = own;
    call.is_signed = true;
    call.build = signed_builder(vb::kOpenOrders, [this, symbol](Timestamp t) -> Result<std::string_view> {
      return builder.open_orders(symbol, t);
    });
    call.on_success = [this, what = call.what](const net::HttpResponse& response) {
      auto parsed = parser.parse_open_orders(response.body);
      if (!parsed) {
        listener->on_open_orders_result(tl::unexpected(bad_answer(what, parsed.error())));
        return;
      }
      std::vector<model::OrderReport> reports;
      reports.reserve(parsed->size());
      for (const vb::OrderUpdate& update : *parsed) reports.push_back(update.report);
      for (const model::OrderReport& r : reports) remember(r);
      listener->on_open_orders_result(std::span<const model::OrderReport>(reports));
    };
    call.on_failure = [this](const Error& error) { listener->on_open_orders_result(tl::unexpected(error)); };
    submit(std::move(call));
  }

  // exchangeInfo for the known symbols (every symbol when none is known). `deliver`: the answer
  // goes to the listener (query_trading_rules); otherwise it only feeds orders waiting for rules.
  void fetch_rules(bool deliver) {
    deliver_rules = deliver_rules || deliver;
    if (rules_pending) return;
    rules_pending = true;
    RestCall call;
    call.what = {"exchange info", {}};
    call.own_kind = own_kinds.exchange_info;
    call.build = [this]() -> Result<RestTarget> {
      std::vector<model::Symbol> symbols;
      for (const Market& m : markets) symbols.push_back(m.symbol);
      for (const model::OrderRequest& r : waiting_rules) {
        if (std::find(symbols.begin(), symbols.end(), r.symbol) == symbols.end()) symbols.push_back(r.symbol);
      }
      auto query = builder.exchange_info(symbols);
      if (!query) return tl::unexpected(query.error());
      return RestTarget{vb::kExchangeInfo, *query};
    };
    call.on_success = [this](const net::HttpResponse& response) {
      rules_pending = false;
      auto parsed = parser.parse_exchange_info(response.body);
      if (!parsed) {
        finish_rules(tl::unexpected(bad_answer({"exchange info", {}}, parsed.error())));
        return;
      }
      std::vector<model::TradingRules> trading;
      for (const vb::SymbolInfo& info : (*parsed)->symbols) {
        for (const vb::SkippedSymbol& skipped : (*parsed)->skipped) {
          log_warn("binance: exchange info: symbol {} skipped: {}", skipped.symbol, skipped.reason);
        }
        if (!info.trading()) continue;
        if (auto symbol = model::Symbol::from(info.rules.symbol)) rules[*symbol] = info.rules;
        trading.push_back(info.rules);
      }
      finish_rules(std::move(trading));
    };
    call.on_failure = [this](const Error& error) {
      rules_pending = false;
      finish_rules(tl::unexpected(error));
    };
    submit(std::move(call));
  }

  void finish_rules(const Result<std::vector<model::TradingRules>>& result) {
    if (deliver_rules && listener != nullptr) {
      deliver_rules = false;
      if (result) {
        listener->on_trading_rules_result(std::span<const model::TradingRules>(*result));
      } else {
        listener->on_trading_rules_result(tl::unexpected(result.error()));
      }
    }
    std::vector<model::OrderRequest> orders = std::move(waiting_rules);
    waiting_rules.clear();
    for (const model::OrderRequest& order : orders) {
      if (rules.contains(order.symbol)) {
        place_order(order);
      } else {
        // Not sent: no rules for the symbol (unknown or not trading).
        const Error error =
            result ? Error(ErrorCode::Rejected,
                           fmt::format("place order {}: {} is not a trading symbol of the exchange",
                                       order.client_order_id, order.symbol))
                   : Error(ErrorCode::Disconnected,
                           fmt::format("place order {}: no trading rules: {}", order.client_order_id,
                                       result.error().message()));
        deliver_place(order.client_order_id, tl::unexpected(error));
      }
    }
  }

  // ---------------------------------------------------------------- user data (WebSocket API)

  void connect_user() {
    user_wanted = true;
    if (user_ws || user_connecting) return;
    if (config.api_key.empty()) return;
    if (!clock.synchronised() || syncing) {
      start_time_sync();  // finish_time_sync() connects
      return;
    }
    user_connecting = true;
    net::connect_websocket(scheduler, config.ws_api, config.ws_api_path,
                           [w = weak()](Result<std::shared_ptr<net::WebSocketConnection>> connected) {
                             if (auto self = w.lock()) self->on_user_connected(std::move(connected));
                           });
  }

  void on_user_connected(Result<std::shared_ptr<net::WebSocketConnection>> connected) {
    user_connecting = false;
    if (!connected) {
      log_warn("binance: user-data connection failed: {}", connected.error().describe());
      schedule_user_retry();
      return;
    }
    user_ws = std::move(*connected);
    user_ws->set_handlers({[w = weak()](std::string_view text) {
                             if (auto self = w.lock()) self->on_user_message(text);
                           },
                           [w = weak()](const Error& reason) {
                             if (auto self = w.lock()) self->on_user_closed(reason);
                           }});
    send_user_subscribe();
  }

  void send_user_subscribe() {
    if (!user_ws) return;
    if (!clock.synchronised() || syncing) {
      user_resubscribe_after_sync = true;
      start_time_sync();
      return;
    }
    subscribe_id = fmt::format("sub-{}", ++subscribe_serial);
    auto request = vb::ws_subscribe_user_data(subscribe_id, config.api_key, config.api_secret,
                                              clock.signing_time(scheduler.now()), config.recv_window);
    if (!request) {
      log_error("binance: user-data subscription not sent: {}", request.error().describe());
      return;
    }
    user_ws->send(std::move(*request));
  }

  void schedule_user_retry() {
    if (!user_retry_timer.is_none()) return;
    Duration delay = user_backoff.take(config.reconnect_min, config.reconnect_max);
    // After a rate limit (the subscription's own 429, or REST's) the WebSocket API is the same
    // IP's: nothing is asked of it before the wait is over.
    if (blocked_until - scheduler.now() > delay) delay = blocked_until - scheduler.now();
    user_retry_timer = scheduler.schedule_after(delay,
                                                [w = weak()](Timestamp) {
                                                  if (auto self = w.lock()) {
                                                    self->user_retry_timer = TimerId::none();
                                                    self->connect_user();
                                                  }
                                                });
  }

  void set_user_down() {
    if (user_up) {
      user_up = false;
      if (listener != nullptr) listener->on_connection_state(false);
    }
    if (poll_timer.is_none() && listener != nullptr) {
      poll_timer = scheduler.schedule_every(config.poll_interval, [w = weak()](Timestamp) {
        if (auto self = w.lock()) self->poll();
      });
    }
  }

  void poll() {
    ++stats.polls;
    for (const Market& m : markets) query_open_orders(m.symbol, own_kinds.open_orders);
    query_balances(own_kinds.account);
  }

  void on_user_closed(const Error& reason) {
    log_warn("binance: user-data stream closed: {}", reason.describe());
    user_ws.reset();
    set_user_down();
    schedule_user_retry();
  }

  void on_user_message(std::string_view text) {
    auto parsed = parser.parse_user_stream(text);
    if (!parsed) {
      ++stats.bad_messages;
      log_warn("binance: user-data message ignored: {}", parsed.error().describe());
      return;
    }
    const vb::UserStreamMessage& message = **parsed;
    if (message.kind == vb::UserStreamMessage::Kind::Response) {
      on_user_response(message.response);
      return;
    }
    ++stats.user_events;
    const vb::UserEvent& event = message.event;
    switch (event.kind) {
      case vb::UserEventKind::ExecutionReport: {
        const vb::OrderUpdate& order = event.execution.order;
        remember(order.report);
        const model::OrderReport report = order.report;
        const std::vector<model::Fill> fills(order.fills.begin(), order.fills.end());
        for (const model::Fill& fill : fills) listener->on_fill(fill);
        listener->on_order_report(report);
        break;
      }
      case vb::UserEventKind::AccountPosition: {
        const std::vector<model::Balance> balances(event.balances.begin(), event.balances.end());
        for (const model::Balance& b : balances) {
          known_balances[b.asset] = KnownBalance{b, event.event_time};
          listener->on_balance_update(b);
        }
        break;
      }
      case vb::UserEventKind::BalanceUpdate: {
        // A delta no later than the position the balance came from is already in it (Binance
        // sends outboundAccountPosition after every change; a late or repeated balanceUpdate must
        // not count twice).
        auto known = known_balances.find(event.balance_delta.asset);
        if (known == known_balances.end()) {
          query_balances();
          break;
        }
        KnownBalance& k = known->second;
        if (!k.as_of.is_none() && !event.event_time.is_none() && event.event_time <= k.as_of) {
          ++stats.balance_updates_skipped;
          break;
        }
        auto total = k.balance.total.checked_add(event.balance_delta.delta);
        auto available = k.balance.available.checked_add(event.balance_delta.delta);
        if (!total || !available) {
          query_balances();
          break;
        }
        k.balance.total = *total;
        k.balance.available = *available;
        k.as_of = event.event_time;  // a repeat of it is skipped
        ++stats.balance_updates;
        listener->on_balance_update(k.balance);
        break;
      }
      case vb::UserEventKind::StreamTerminated:
        ++stats.stream_terminated;
        set_user_down();
        send_user_subscribe();
        break;
      case vb::UserEventKind::Other:
        break;
    }
  }

  void on_user_response(const vb::WsApiResponse& response) {
    report_rate_limits(response.rate_limits);  // first, as for REST answers
    if (response.id != subscribe_id) return;  // an answer to something else (none sent yet)
    if (response.ok() && response.subscription_id) {
      const bool again = stats.user_connects > 0;
      ++stats.user_connects;
      if (again) ++stats.user_reconnects;
      user_up = true;
      user_backoff.reset(config.reconnect_min);
      if (!poll_timer.is_none()) {
        scheduler.cancel(poll_timer);
        poll_timer = TimerId::none();
        poll();  // whatever happened while it was down
      }
      if (listener != nullptr) listener->on_connection_state(true);
      return;
    }
    vb::FailedRequest failed;
    failed.http_status = response.status;
    if (response.error) failed.body = *response.error;
    const vb::ErrorClass cls = vb::classify(failed, scheduler.now(), offset());
    const Error error = vb::to_error(cls, failed, "user-data subscription");
    log_warn("binance: {}", error.describe());
    if (cls.action == vb::RecoveryAction::ResyncClock) {
      ++stats.clock_resyncs;
      clock.restart();
      user_resubscribe_after_sync = true;
      start_time_sync();
      return;
    }
    if (cls.action == vb::RecoveryAction::CheckCredentials) ++stats.credential_errors;
    if (cls.action == vb::RecoveryAction::WaitUntil) {
      ++stats.rate_limited;
      block_until(cls.retry_at);  // the IP's weight is REST's too
      if (listener != nullptr) listener->on_rate_limited(cls.retry_at);
    }
    if (user_ws) user_ws->close();  // on_user_closed retries with backoff
  }

  // ---------------------------------------------------------------- market data

  Market* find_market(const model::Symbol& symbol) {
    for (Market& m : markets) {
      if (m.symbol == symbol) return &m;
    }
    return nullptr;
  }

  void subscribe(const model::Symbol& symbol) {
    Market* m = find_market(symbol);
    if (m == nullptr) {
      markets.push_back(Market{symbol, to_ascii_lower(symbol.view()), false, false, std::nullopt, -1});
      if (market_ws) {
        market_ws->close();  // reopened with every stream by on_market_closed
      } else {
        schedule_market_connect(Duration::zero());
      }
      return;
    }
    if (market_ws && m->snapshot_since_connect) {
      ++stats.book_resyncs;  // asked again after a gap
      fetch_snapshot(*m);
    }
  }

  void schedule_market_connect(Duration delay) {
    if (!market_retry_timer.is_none() || market_connecting || market_ws) return;
    market_retry_timer = scheduler.schedule_after(delay, [w = weak()](Timestamp) {
      if (auto self = w.lock()) {
        self->market_retry_timer = TimerId::none();
        self->connect_market();
      }
    });
  }

  std::string stream_target() const {
    std::string target = "/stream?streams=";
    for (std::size_t i = 0; i < markets.size(); ++i) {
      if (i > 0) target += '/';
      const std::string& s = markets[i].stream_name;
      target += fmt::format("{}@depth@100ms/{}@trade/{}@bookTicker", s, s, s);
    }
    return target;
  }

  // Handlers of one market connection; a close matters only while it is the current one.
  void attach_market(const std::shared_ptr<net::WebSocketConnection>& connection) {
    const net::WebSocketConnection* id = connection.get();
    connection->set_handlers({[w = weak()](std::string_view text) {
                                if (auto self = w.lock()) self->on_market_message(text);
                              },
                              [w = weak(), id](const Error& reason) {
                                if (auto self = w.lock()) self->on_market_closed(id, reason);
                              }});
  }

  void arm_rotation() {
    if (config.stream_rotate_after <= Duration::zero()) return;
    if (!rotate_timer.is_none()) scheduler.cancel(rotate_timer);
    rotate_timer = scheduler.schedule_after(config.stream_rotate_after, [w = weak()](Timestamp) {
      if (auto self = w.lock()) {
        self->rotate_timer = TimerId::none();
        self->rotate_market();
      }
    });
  }

  // Binance closes a connection after 24 h: open the next one first, let both run for
  // `stream_rotate_overlap` (BookSync drops the diffs it already has, trades are deduplicated by
  // id), then close the old one. The book never leaves sync.
  void rotate_market() {
    if (!market_ws || rotating || markets.empty()) return;
    rotating = true;
    net::connect_websocket(scheduler, config.streams, stream_target(),
                           [w = weak()](Result<std::shared_ptr<net::WebSocketConnection>> connected) {
                             auto self = w.lock();
                             if (!self) return;
                             self->rotating = false;
                             if (!connected) {
                               log_warn("binance: market stream rotation failed: {}",
                                        connected.error().describe());
                               self->arm_rotation();
                               return;
                             }
                             if (!self->market_ws) {  // the old one dropped meanwhile: a reconnect resyncs
                               (*connected)->close();
                               return;
                             }
                             std::shared_ptr<net::WebSocketConnection> retired = std::move(self->market_ws);
                             self->market_ws = std::move(*connected);
                             self->attach_market(self->market_ws);
                             ++self->stats.market_rotations;
                             self->scheduler.schedule_after(self->config.stream_rotate_overlap,
                                                            [retired](Timestamp) { retired->close(); });
                             self->arm_rotation();
                           });
  }

  void connect_market() {
    if (market_ws || market_connecting || markets.empty()) return;
    market_connecting = true;
    net::connect_websocket(scheduler, config.streams, stream_target(),
                           [w = weak()](Result<std::shared_ptr<net::WebSocketConnection>> connected) {
                             if (auto self = w.lock()) self->on_market_connected(std::move(connected));
                           });
  }

  void on_market_connected(Result<std::shared_ptr<net::WebSocketConnection>> connected) {
    market_connecting = false;
    if (!connected) {
      log_warn("binance: market stream connection failed: {}", connected.error().describe());
      schedule_market_connect(market_backoff.take(config.reconnect_min, config.reconnect_max));
      return;
    }
    market_ws = std::move(*connected);
    attach_market(market_ws);
    arm_rotation();
    if (stats.market_connects > 0) ++stats.market_reconnects;
    ++stats.market_connects;
    market_backoff.reset(config.reconnect_min);
    last_market_message = scheduler.now();
    if (watchdog_timer.is_none()) {
      watchdog_timer = scheduler.schedule_every(config.stream_silence_limit / 2, [w = weak()](Timestamp) {
        if (auto self = w.lock()) self->check_market_silence();
      });
    }
    // The stream is open: diffs buffer in BookSync until the snapshot arrives.
    for (Market& m : markets) {
      m.snapshot_since_connect = true;
      fetch_snapshot(m);
    }
  }

  void check_market_silence() {
    if (market_ws && scheduler.now() - last_market_message > config.stream_silence_limit) {
      log_warn("binance: market stream silent for {} s: reconnecting",
               std::chrono::duration_cast<std::chrono::seconds>(config.stream_silence_limit).count());
      market_ws->abort();
    }
  }

  void on_market_closed(const net::WebSocketConnection* connection, const Error& reason) {
    if (connection != market_ws.get()) return;  // a connection retired by a rotation
    log_warn("binance: market stream closed: {}", reason.describe());
    market_ws.reset();
    schedule_market_connect(market_backoff.take(config.reconnect_min, config.reconnect_max));
  }

  void on_market_message(std::string_view text) {
    const Timestamp now = scheduler.now();
    last_market_message = now;
    auto parsed = market_parser.parse(text, now);
    if (!parsed) {
      ++stats.bad_messages;
      log_warn("binance: market message ignored: {}", parsed.error().describe());
      return;
    }
    const vb::ParsedMessage& message = **parsed;
    auto symbol = model::Symbol::from(message.symbol);
    if (!symbol || listener == nullptr) return;
    switch (message.kind) {
      case vb::MessageKind::DepthDiff:
        ++stats.depth_diffs;
        listener->on_book_diff(*symbol, message.diff);
        break;
      case vb::MessageKind::Trade:
        if (Market* m = find_market(*symbol)) {
          if (message.trade.trade_id <= m->last_trade_id) break;  // seen on the other connection
          m->last_trade_id = message.trade.trade_id;
        }
        listener->on_public_trade(*symbol, message.trade);
        break;
      case vb::MessageKind::BookTicker:
        if (Market* m = find_market(*symbol)) m->ticker = message.ticker;
        break;
      case vb::MessageKind::DepthSnapshot:
      case vb::MessageKind::Unknown:
        break;
    }
  }

  void fetch_snapshot(Market& market) {
    if (market.snapshot_pending) return;
    market.snapshot_pending = true;
    const model::Symbol symbol = market.symbol;
    RestCall call;
    call.what = {"depth snapshot of", FixedString<36>::truncating(symbol.view())};
    call.own_kind = own_kinds.depth;
    call.build = [this, symbol]() -> Result<RestTarget> {
      auto query = builder.depth(symbol, config.depth_limit);
      if (!query) return tl::unexpected(query.error());
      return RestTarget{vb::kDepth, *query};
    };
    call.on_success = [this, symbol](const net::HttpResponse& response) {
      Market* m = find_market(symbol);
      if (m == nullptr) return;
      m->snapshot_pending = false;
      auto parsed = market_parser.parse(response.body, scheduler.now());
      if (!parsed || (*parsed)->kind != vb::MessageKind::DepthSnapshot) {
        ++stats.bad_messages;
        log_warn("binance: depth snapshot of {} unreadable; asking again", symbol);
        retry_snapshot(symbol);
        return;
      }
      ++stats.snapshots;
      if (listener != nullptr) listener->on_book_snapshot(symbol, (*parsed)->snapshot);
    };
    call.on_failure = [this, symbol](const Error& error) {
      log_warn("binance: {}; asking again", error.describe());
      if (Market* m = find_market(symbol)) m->snapshot_pending = false;
      retry_snapshot(symbol);
    };
    submit(std::move(call));
  }

  void retry_snapshot(const model::Symbol& symbol) {
    scheduler.schedule_after(config.reconnect_min, [w = weak(), symbol](Timestamp) {
      if (auto self = w.lock()) {
        if (Market* m = self->find_market(symbol)) self->fetch_snapshot(*m);
      }
    });
  }

  // ---------------------------------------------------------------- state

  LiveScheduler& scheduler;
  BinanceApiConfig config;
  ExchangeApiListener* listener = nullptr;
  net::HttpClient rest;         // queries, snapshots, time
  net::HttpClient rest_orders;  // place and cancel
  vb::RequestBuilder builder;
  vb::ApiParser parser;
  vb::MessageParser market_parser;
  vb::ServerClock clock;
  BinanceApiStats stats;

  Timestamp blocked_until = Timestamp::from_ns(0);
  TimerId block_timer;
  std::vector<RestCall> waiting_block;  // held by a rate-limit block, in order
  RateLimiter own_limiter;  // the own requests' (see BinanceApiConfig::own_rate_limits)
  OwnKinds own_kinds;
  TimerId rate_timer;
  Timestamp rate_retry_at = Timestamp::none();
  std::vector<RestCall> waiting_rate;  // own requests held by own_limiter, in order
  std::vector<RestCall> waiting_clock;  // signed, waiting for the clock
  std::vector<std::unique_ptr<RestCall>> spare_call_boxes;  // see take_call_box()
  bool syncing = false;
  int good_samples = 0;
  Backoff time_backoff;
  TimerId time_retry_timer;
  TimerId time_refresh_timer;

  std::unordered_map<model::Symbol, model::TradingRules> rules;
  std::vector<model::OrderRequest> waiting_rules;
  bool rules_pending = false;
  bool deliver_rules = false;
  std::unordered_map<model::ClientOrderId, model::ExchangeOrderId> exchange_ids;
  // A balance the connector knows, with the event time (E) of the last outboundAccountPosition or
  // balanceUpdate applied to it; none when it came from a REST answer (no event time).
  struct KnownBalance {
    model::Balance balance;
    Timestamp as_of = Timestamp::none();
  };
  std::unordered_map<model::Asset, KnownBalance> known_balances;

  std::shared_ptr<net::WebSocketConnection> user_ws;
  bool user_wanted = false;
  bool user_connecting = false;
  bool user_up = false;
  bool user_resubscribe_after_sync = false;
  std::string subscribe_id;
  std::uint64_t subscribe_serial = 0;
  Backoff user_backoff;
  TimerId user_retry_timer;
  TimerId poll_timer;

  std::vector<Market> markets;
  std::shared_ptr<net::WebSocketConnection> market_ws;
  bool market_connecting = false;
  Backoff market_backoff;
  TimerId market_retry_timer;
  TimerId watchdog_timer;
  TimerId rotate_timer;
  bool rotating = false;
  Timestamp last_market_message = Timestamp::none();
};

BinanceExchangeApi::BinanceExchangeApi(LiveScheduler& scheduler, BinanceApiConfig config)
    : impl_(std::make_shared<Impl>(scheduler, std::move(config))) {}

BinanceExchangeApi::~BinanceExchangeApi() = default;

void BinanceExchangeApi::connect() {
  impl_->start_time_sync();
  impl_->connect_user();
}

void BinanceExchangeApi::set_listener(ExchangeApiListener* listener) {
  impl_->listener = listener;
  // Until the user-data stream is subscribed the account's changes would go unheard: not connected.
  impl_->later([](Impl& impl) {
    if (impl.listener != nullptr && !impl.user_up && !impl.config.api_key.empty()) {
      impl.listener->on_connection_state(false);
    }
  });
}

void BinanceExchangeApi::place_order(const model::OrderRequest& request) {
  impl_->connect_user();
  impl_->place_order(request);
}

void BinanceExchangeApi::cancel_order(const model::Symbol& symbol, const model::ClientOrderId& id) {
  impl_->order_call(Impl::OrderAnswerFor::Cancel, symbol, id);
}

void BinanceExchangeApi::query_order(const model::Symbol& symbol, const model::ClientOrderId& id) {
  impl_->order_call(Impl::OrderAnswerFor::Query, symbol, id);
}

void BinanceExchangeApi::query_fills(const model::Symbol& symbol, const model::ClientOrderId& id) {
  impl_->query_fills(symbol, id);
}

void BinanceExchangeApi::query_balances() {
  impl_->connect_user();
  impl_->query_balances();
}

void BinanceExchangeApi::query_open_orders(const model::Symbol& symbol) { impl_->query_open_orders(symbol); }

void BinanceExchangeApi::query_trading_rules() {
  // After the current call: the markets subscribed right after this one are asked for too.
  impl_->later([](Impl& impl) { impl.fetch_rules(true); });
}

void BinanceExchangeApi::subscribe_market_data(const model::Symbol& symbol) { impl_->subscribe(symbol); }

void BinanceExchangeApi::handle_market_frame(std::string_view frame) { impl_->on_market_message(frame); }

const BinanceApiStats& BinanceExchangeApi::stats() const noexcept { return impl_->stats; }
bool BinanceExchangeApi::user_stream_up() const noexcept { return impl_->user_up; }
bool BinanceExchangeApi::clock_synchronised() const noexcept {
  return impl_->clock.synchronised() && !impl_->syncing;
}

const model::BookTicker* BinanceExchangeApi::book_ticker(const model::Symbol& symbol) const noexcept {
  for (const Impl::Market& m : impl_->markets) {
    if (m.symbol == symbol && m.ticker) return &*m.ticker;
  }
  return nullptr;
}

}  // namespace colibri::connector::binance
