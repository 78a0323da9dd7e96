#pragma once
// OrderTracker: the connector's record of every order it placed (DESIGN.md decision 6, reliability
// promises 1-4; Hummingbot's ClientOrderTracker).
//
// The tracker decides, its owner (ExchangeBase) does the I/O:
//   1. start_tracking(request) BEFORE the request is sent: the order exists in PendingCreate;
//   2. every ExchangeApiListener answer and push about orders is handed over (on_place_result,
//      on_cancel_result, on_order_query_result, on_fills_query_result, on_order_report, on_fill);
//      the tracker routes it to the order by client order id, else by exchange order id;
//   3. the owner calls poll() on its clock tick, and sends the queries that orders_to_query() and
//      fills_to_query() ask for.
// Events (model/order_events.h) go to the OrderEventSink synchronously, exactly one per fact: one
// OrderCreated when the venue first shows the order exists, one OrderFilled per applied fill (late
// fills too), one OrderLost when "not found" is confirmed, and exactly one terminal event.
//
// Behaviours (each has a test in order_tracker_test.cc):
//  - Answers of a create: Rejected, InvalidArgument, Disconnected, RateLimited, Unsupported,
//    OutOfRange mean the order does not exist (Failed, OrderFailed with that code). Anything else
//    (Ambiguous, NotFound, Corrupt, Io) is ambiguous: the order stays PendingCreate and is queried
//    at once (orders_to_query) before anything is resent (promise 2).
//  - Answers of a cancel: a report is merged; NotFound counts as "not found"; Ambiguous, Corrupt and
//    Io keep PendingCancel and ask for a query; any other error means the cancel did not happen (the
//    order goes back to its state before).
//  - "Not found" (cancel or query answers) is counted per order; not_found_limit CONSECUTIVE answers
//    (any other word from the venue resets the count) flag the order lost: OrderLost, still live,
//    still queried, still taking fills and reports (promise 3). Not found for a final order is ignored.
//  - Fills are applied exactly once per exchange trade id, by the order (promise 4 within the
//    tracker's memory; across restarts the store's journal deduplicates).
//  - A final report not yet covered by fills waits for them: after fill_wait the order appears in
//    fills_to_query() (again every fill_wait), and after fill_wait_max poll() ends it anyway in the
//    reported state with the fills it has (counted in stats().fills_short); the missing fills still
//    count when they come.
//  - Finished orders stay findable for late fills and duplicate reports, at most finished_capacity
//    of them and none older than finished_ttl (Scheduler time), oldest dropped first. Information
//    about an order no longer held is refused with NotFound (counted: unknown_reports/unknown_fills).
//  - A client order id is never tracked twice: start_tracking refuses an id it holds (live or
//    finished). Ids older than the finished cache are not remembered: uniqueness forever comes from
//    ClientOrderIdGenerator.
//
// Errors: every input returns Result<void>: NotFound when no held order matches; the order's error
// (InvalidArgument, Corrupt: see model/in_flight_order.h) when it refused the input; the caller logs
// it and goes on (bad input from the network is counted and survived, never fatal).
//
// Allocation: routing a fill or report is hash lookups and the order's inline storage. Allocations
// happen once per order (start_tracking's map entry, indexing the exchange order id when first
// learned, recording the end in the finished queue), for an order's fills past the eighth, and for
// error messages. orders_to_query/fills_to_query/active_orders return vectors (off the hot path).
// Pooling the entries is future work (DESIGN.md decision 9 asks order creation not to allocate).
//
// Not thread-safe: owned by the bot's event-loop thread. The scheduler and the sink must outlive the
// tracker; the sink must not call back into the tracker.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory_resource>
#include <span>
#include <unordered_map>
#include <vector>

#include "colibri/core/result.h"
#include "colibri/core/scheduler.h"
#include "colibri/core/time.h"
#include "colibri/model/in_flight_order.h"
#include "colibri/model/order.h"
#include "colibri/model/order_events.h"

namespace colibri::connector {

struct OrderTrackerConfig {
  // Consecutive "not found" answers that flag an order lost (Hummingbot: 3).
  std::uint32_t not_found_limit = 3;
  // A live order the venue has not spoken of for this long is due for a status query.
  Duration query_after = std::chrono::seconds(10);
  // An order owed fills (a report counted more than the fills applied) for this long is due for a
  // fills query, again every fill_wait.
  Duration fill_wait = std::chrono::seconds(5);
  // An awaited final report takes effect after this long even without its fills.
  Duration fill_wait_max = std::chrono::seconds(60);
  // Finished orders kept for late information (Hummingbot: 1000 orders, 30 s).
  std::size_t finished_capacity = 1000;
  Duration finished_ttl = std::chrono::minutes(5);
};

struct OrderTrackerStats {
  std::uint64_t unknown_reports = 0;  // reports about orders not held
  std::uint64_t unknown_fills = 0;    // fills of orders not held
  std::uint64_t duplicate_fills = 0;  // fills whose trade id was already applied
  std::uint64_t refused_inputs = 0;   // inputs an order refused (overfill, contradictions, malformed)
  std::uint64_t not_found_answers = 0;
  std::uint64_t fills_short = 0;  // orders ended by fill_wait_max without all their fills
  std::uint64_t evicted = 0;      // finished orders dropped from the cache
};

class OrderTracker {
 public:
  OrderTracker(const Scheduler& scheduler, model::OrderEventSink& sink, OrderTrackerConfig config = {});
  OrderTracker(const OrderTracker&) = delete;
  OrderTracker& operator=(const OrderTracker&) = delete;

  // Tracks a new order in PendingCreate; call before sending it. Returns the order (valid until it
  // is evicted from the finished cache). InvalidArgument when the id is not a valid client order id,
  // the id is already held, the symbol is empty, the quantity is not positive or the price negative.
  Result<const model::InFlightOrder*> start_tracking(const model::OrderRequest& request);

  // The owner is about to send a cancel. NotFound for an unknown id; InvalidArgument when final.
  Result<void> cancel_requested(const model::ClientOrderId& id);

  // --- ExchangeApiListener answers and pushes (see the top of this file)
  Result<void> on_place_result(const model::ClientOrderId& id, const Result<model::OrderReport>& result);
  Result<void> on_cancel_result(const model::ClientOrderId& id, const Result<model::OrderReport>& result);
  Result<void> on_order_query_result(const model::ClientOrderId& id,
                                     const Result<model::OrderReport>& result);
  // Each fill is applied as by on_fill (deduplicated); an error answer changes nothing.
  Result<void> on_fills_query_result(const model::ClientOrderId& id,
                                     const Result<std::span<const model::Fill>>& result);
  Result<void> on_order_report(const model::OrderReport& report);
  Result<void> on_fill(const model::Fill& fill);

  // --- time-driven work, on the owner's tick
  // Ends awaited final reports past fill_wait_max (terminal events) and drops old finished orders.
  void poll();
  // Live orders due for a status query (ambiguous answers at once, others when unheard of for
  // query_after). Each returned id counts as queried now.
  [[nodiscard]] std::vector<model::ClientOrderId> orders_to_query();
  // Orders owed fills for fill_wait or longer, at most once per fill_wait each.
  [[nodiscard]] std::vector<model::ClientOrderId> fills_to_query();

  // --- lookups (pointers valid until the order is evicted)
  [[nodiscard]] const model::InFlightOrder* find(const model::ClientOrderId& id) const;
  [[nodiscard]] const model::InFlightOrder* find_by_exchange_id(const model::ExchangeOrderId& id) const;
  [[nodiscard]] std::vector<const model::InFlightOrder*> active_orders() const;  // live, lost included
  [[nodiscard]] std::size_t active_count() const noexcept { return orders_.size() - finished_.size(); }
  [[nodiscard]] std::size_t finished_count() const noexcept { return finished_.size(); }
  [[nodiscard]] std::size_t lost_count() const noexcept;
  [[nodiscard]] const OrderTrackerStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const OrderTrackerConfig& config() const noexcept { return config_; }

 private:
  // One held order and the tracker's bookkeeping about it.
  // Invariants: (1) an entry is in finished_ iff its order is final (entries are erased only when
  // evicted from finished_, so its pointers stay valid); (2) by_exchange_id_ maps every
  // known exchange id of a held order to its client id (indexed == true); (3) owed_since is set iff
  // the order is owed fills.
  struct Entry {
    explicit Entry(model::InFlightOrder o) : order(std::move(o)) {}
    model::InFlightOrder order;
    Timestamp last_query_at = Timestamp::none();
    Timestamp last_fills_query_at = Timestamp::none();
    Timestamp owed_since = Timestamp::none();
    bool query_wanted = false;  // an ambiguous answer: query at once
    bool indexed = false;       // exchange id in by_exchange_id_
    bool watched = false;       // in watched_
  };

  Entry* lookup(const model::ClientOrderId& id);
  Entry* route(const model::ClientOrderId& id, const model::ExchangeOrderId& exchange_id);
  // Emits the events `change` implies and updates the bookkeeping; passes errors through.
  Result<void> settle(Entry& entry, const Result<model::OrderChange>& change,
                      const model::Fill* fill = nullptr, const Error* failure = nullptr);
  Result<void> apply_fill(Entry& entry, const model::Fill& fill);
  Result<void> not_found(Entry& entry);
  void evict(Timestamp now);
  // watched_ holds every entry that is live or owed fills (and perhaps a few that stopped being
  // either since the last prune): the per-tick scans walk it instead of every held order.
  void watch(Entry& entry);
  void prune_watched();

  const Scheduler& scheduler_;
  model::OrderEventSink& sink_;
  OrderTrackerConfig config_;
  // Node storage for the three containers below: nodes of evicted orders are reused for new ones,
  // so tracking an order does not reach the heap in steady state (DESIGN.md decision 9).
  // Declared first: destroyed last.
  std::pmr::unsynchronized_pool_resource pool_;
  std::pmr::unordered_map<model::ClientOrderId, Entry> orders_{&pool_};  // live and finished
  std::pmr::unordered_map<model::ExchangeOrderId, model::ClientOrderId> by_exchange_id_{&pool_};
  std::pmr::deque<Entry*> finished_{&pool_};  // in the order they finished: eviction order
  std::pmr::vector<Entry*> watched_{&pool_};  // in tracking order; nodes of orders_ do not move
  OrderTrackerStats stats_;
};

}  // namespace colibri::connector
