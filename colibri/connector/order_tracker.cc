#include "colibri/connector/order_tracker.h"

#include <algorithm>
#include <utility>

#include "colibri/connector/client_order_id.h"

namespace colibri::connector {

using model::ClientOrderId;
using model::ExchangeOrderId;
using model::Fill;
using model::InFlightOrder;
using model::OrderChange;
using model::OrderReport;
using model::OrderState;

namespace {

// A create answered with this error did not create an order (it was refused or never sent).
bool create_definitely_failed(ErrorCode code) {
  switch (code) {
    case ErrorCode::Rejected:
    case ErrorCode::InvalidArgument:
    case ErrorCode::Disconnected:
    case ErrorCode::RateLimited:
    case ErrorCode::Unsupported:
    case ErrorCode::OutOfRange:
      return true;
    default:
      return false;  // Ambiguous, NotFound, Corrupt, Io: the order may exist
  }
}

// A cancel answered with this error may or may not have happened.
bool cancel_ambiguous(ErrorCode code) {
  return code == ErrorCode::Ambiguous || code == ErrorCode::Corrupt || code == ErrorCode::Io;
}

}  // namespace

OrderTracker::OrderTracker(const Scheduler& scheduler, model::OrderEventSink& sink, OrderTrackerConfig config)
    : scheduler_(scheduler), sink_(sink), config_(config) {
  if (config_.not_found_limit == 0) config_.not_found_limit = 1;
}

Result<const InFlightOrder*> OrderTracker::start_tracking(const model::OrderRequest& request) {
  const ClientOrderId& id = request.client_order_id;
  if (!is_valid_client_order_id(id.view())) {
    return fail(ErrorCode::InvalidArgument, "invalid client order id \"{}\"", id);
  }
  if (request.symbol.empty() || !request.quantity.is_positive() || request.price.is_negative()) {
    return fail(ErrorCode::InvalidArgument, "order {}: symbol \"{}\", quantity {}, price {}", id,
                request.symbol, request.quantity, request.price);
  }
  auto [it, inserted] = orders_.try_emplace(id, InFlightOrder(request, scheduler_.now()));
  if (!inserted) return fail(ErrorCode::InvalidArgument, "client order id {} is already in use", id);
  watch(it->second);
  return &it->second.order;
}

void OrderTracker::watch(Entry& entry) {
  if (entry.watched) return;
  entry.watched = true;
  watched_.push_back(&entry);
}

void OrderTracker::prune_watched() {
  std::erase_if(watched_, [](Entry* e) {
    if (e->order.is_live() || !e->owed_since.is_none()) return false;
    e->watched = false;
    return true;
  });
}

OrderTracker::Entry* OrderTracker::lookup(const ClientOrderId& id) {
  auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second;
}

OrderTracker::Entry* OrderTracker::route(const ClientOrderId& id, const ExchangeOrderId& exchange_id) {
  if (!id.empty()) {
    if (Entry* e = lookup(id)) return e;
  }
  if (!exchange_id.empty()) {
    auto it = by_exchange_id_.find(exchange_id);
    if (it != by_exchange_id_.end()) return lookup(it->second);
  }
  return nullptr;
}

const InFlightOrder* OrderTracker::find(const ClientOrderId& id) const {
  auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second.order;
}

const InFlightOrder* OrderTracker::find_by_exchange_id(const ExchangeOrderId& id) const {
  auto it = by_exchange_id_.find(id);
  return it == by_exchange_id_.end() ? nullptr : find(it->second);
}

std::vector<const InFlightOrder*> OrderTracker::active_orders() const {
  std::vector<const InFlightOrder*> live;
  for (const Entry* e : watched_) {
    if (e->order.is_live()) live.push_back(&e->order);
  }
  return live;
}

std::size_t OrderTracker::lost_count() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(watched_.begin(), watched_.end(), [](const Entry* e) { return e->order.is_lost(); }));
}

Result<void> OrderTracker::settle(Entry& entry, const Result<OrderChange>& change, const Fill* fill,
                                  const Error* failure) {
  const InFlightOrder& o = entry.order;
  const Timestamp now = scheduler_.now();
  if (!entry.indexed && !o.exchange_order_id().empty()) {
    by_exchange_id_.emplace(o.exchange_order_id(), o.client_order_id());
    entry.indexed = true;
  }
  if (o.fills_owed()) {
    if (entry.owed_since.is_none()) entry.owed_since = now;
    watch(entry);
  } else {
    entry.owed_since = Timestamp::none();
  }
  if (!change) {
    ++stats_.refused_inputs;
    return fail(change.error());
  }

  const model::OrderRequest& r = o.request();
  if (change->acknowledged_now) {
    sink_.on_order_created(model::OrderCreated{r.client_order_id, o.exchange_order_id(), r.symbol, r.side,
                                               r.type, r.price, r.quantity, now});
  }
  if (change->fill_applied && fill != nullptr) {
    sink_.on_order_filled(model::OrderFilled{r.client_order_id, o.exchange_order_id(), fill->trade_id,
                                             r.symbol, r.side, r.type, fill->price, fill->quantity, fill->fee,
                                             fill->liquidity, fill->time.is_none() ? now : fill->time});
  }
  if (change->became_lost) {
    sink_.on_order_lost(
        model::OrderLost{r.client_order_id, o.exchange_order_id(), r.symbol, r.side, o.filled(), now});
  }
  if (change->became_final) {
    finished_.push_back(&entry);
    switch (change->after) {
      case OrderState::Filled:
        sink_.on_order_completed(model::OrderCompleted{r.client_order_id, o.exchange_order_id(), r.symbol,
                                                       r.side, r.type, o.filled(), o.filled_quote(), o.fees(),
                                                       now});
        break;
      case OrderState::Canceled:
        sink_.on_order_cancelled(model::OrderCancelled{r.client_order_id, o.exchange_order_id(), r.symbol,
                                                       r.side, o.filled(), now});
        break;
      case OrderState::Expired:
        sink_.on_order_expired(
            model::OrderExpired{r.client_order_id, o.exchange_order_id(), r.symbol, r.side, o.filled(), now});
        break;
      default: {
        model::OrderFailed failed{r.client_order_id,       r.symbol, r.side, r.type, ErrorCode::Rejected,
                                  "rejected by the venue", now};
        if (failure != nullptr) {
          failed.code = failure->code();
          failed.message = failure->message();
        }
        sink_.on_order_failed(failed);
        break;
      }
    }
  }
  return {};
}

Result<void> OrderTracker::cancel_requested(const ClientOrderId& id) {
  Entry* e = lookup(id);
  if (e == nullptr) return fail(ErrorCode::NotFound, "cancel of unknown order {}", id);
  auto change = e->order.on_cancel_requested(scheduler_.now());
  if (!change) return fail(change.error());  // a final order: nothing to cancel, not an anomaly
  return settle(*e, change);
}

Result<void> OrderTracker::on_place_result(const ClientOrderId& id, const Result<OrderReport>& result) {
  Entry* e = lookup(id);
  if (e == nullptr) {
    ++stats_.unknown_reports;
    return fail(ErrorCode::NotFound, "place answer for unknown order {}", id);
  }
  const Timestamp now = scheduler_.now();
  if (result) return settle(*e, e->order.on_report(*result, now));
  const Error& error = result.error();
  if (create_definitely_failed(error.code())) {
    e->order.set_failure_code(error.code());
    return settle(*e, e->order.on_create_rejected(now), nullptr, &error);
  }
  e->query_wanted = true;
  return settle(*e, e->order.on_create_ambiguous(now));
}

Result<void> OrderTracker::not_found(Entry& entry) {
  ++stats_.not_found_answers;
  if (entry.order.is_final() || entry.order.is_lost()) return {};
  if (entry.order.count_not_found() < config_.not_found_limit) return {};
  return settle(entry, entry.order.on_not_found_confirmed(scheduler_.now()));
}

Result<void> OrderTracker::on_cancel_result(const ClientOrderId& id, const Result<OrderReport>& result) {
  Entry* e = lookup(id);
  if (e == nullptr) {
    ++stats_.unknown_reports;
    return fail(ErrorCode::NotFound, "cancel answer for unknown order {}", id);
  }
  const Timestamp now = scheduler_.now();
  if (result) return settle(*e, e->order.on_report(*result, now));
  const ErrorCode code = result.error().code();
  if (code == ErrorCode::NotFound) return not_found(*e);
  if (cancel_ambiguous(code)) {
    e->query_wanted = true;
    return settle(*e, e->order.on_cancel_ambiguous(now));
  }
  return settle(*e, e->order.on_cancel_rejected(now));
}

Result<void> OrderTracker::on_order_query_result(const ClientOrderId& id, const Result<OrderReport>& result) {
  Entry* e = lookup(id);
  if (e == nullptr) {
    ++stats_.unknown_reports;
    return fail(ErrorCode::NotFound, "query answer for unknown order {}", id);
  }
  if (result) return settle(*e, e->order.on_report(*result, scheduler_.now()));
  if (result.error().code() == ErrorCode::NotFound) return not_found(*e);
  return {};  // no news: the query will be asked again
}

Result<void> OrderTracker::apply_fill(Entry& entry, const Fill& fill) {
  auto change = entry.order.on_fill(fill, scheduler_.now());
  if (change && !change->fill_applied) ++stats_.duplicate_fills;
  return settle(entry, change, &fill);
}

Result<void> OrderTracker::on_fills_query_result(const ClientOrderId& id,
                                                 const Result<std::span<const Fill>>& result) {
  Entry* e = lookup(id);
  if (e == nullptr) {
    ++stats_.unknown_fills;
    return fail(ErrorCode::NotFound, "fills answer for unknown order {}", id);
  }
  if (!result) return {};
  Result<void> first_error;
  for (const Fill& fill : *result) {
    auto applied = apply_fill(*e, fill);
    if (!applied && first_error) first_error = std::move(applied);
  }
  return first_error;
}

Result<void> OrderTracker::on_order_report(const OrderReport& report) {
  Entry* e = route(report.client_order_id, report.exchange_order_id);
  if (e == nullptr) {
    ++stats_.unknown_reports;
    return fail(ErrorCode::NotFound, "report for unknown order {} ({})", report.client_order_id,
                report.exchange_order_id);
  }
  return settle(*e, e->order.on_report(report, scheduler_.now()));
}

Result<void> OrderTracker::on_fill(const Fill& fill) {
  Entry* e = route(fill.client_order_id, fill.exchange_order_id);
  if (e == nullptr) {
    ++stats_.unknown_fills;
    return fail(ErrorCode::NotFound, "fill {} of unknown order {} ({})", fill.trade_id, fill.client_order_id,
                fill.exchange_order_id);
  }
  return apply_fill(*e, fill);
}

void OrderTracker::poll() {
  const Timestamp now = scheduler_.now();
  prune_watched();
  // By index: settling emits events, and a listener may track new orders (appended) meanwhile.
  for (std::size_t i = 0; i < watched_.size(); ++i) {
    Entry& entry = *watched_[i];
    InFlightOrder& o = entry.order;
    if (o.is_live() && o.awaited_final() && now - o.awaited_since() >= config_.fill_wait_max) {
      ++stats_.fills_short;
      (void)settle(entry, o.on_fill_wait_over(now));
    }
  }
  evict(now);
}

void OrderTracker::evict(Timestamp now) {
  // Called on every tick: the oldest finished order is read through its entry, and the map is
  // searched only for an order actually dropped.
  while (!finished_.empty()) {
    Entry& entry = *finished_.front();
    const bool too_many = finished_.size() > config_.finished_capacity;
    const bool too_old = now - entry.order.final_at() >= config_.finished_ttl;
    if (!too_many && !too_old) break;
    if (entry.indexed) by_exchange_id_.erase(entry.order.exchange_order_id());
    if (entry.watched) std::erase(watched_, &entry);
    const ClientOrderId id = entry.order.client_order_id();  // a copy: the key dies with the entry
    finished_.pop_front();
    orders_.erase(id);
    ++stats_.evicted;
  }
}

std::vector<ClientOrderId> OrderTracker::orders_to_query() {
  const Timestamp now = scheduler_.now();
  std::vector<ClientOrderId> due;
  for (Entry* e : watched_) {
    Entry& entry = *e;
    const InFlightOrder& o = entry.order;
    const ClientOrderId& id = o.client_order_id();
    if (!o.is_live()) continue;
    Timestamp heard = o.last_venue_contact();
    if (!entry.last_query_at.is_none()) heard = std::max(heard, entry.last_query_at);
    if (entry.query_wanted || now - heard >= config_.query_after) {
      due.push_back(id);
      entry.query_wanted = false;
      entry.last_query_at = now;
    }
  }
  return due;
}

std::vector<ClientOrderId> OrderTracker::fills_to_query() {
  const Timestamp now = scheduler_.now();
  std::vector<ClientOrderId> due;
  for (Entry* e : watched_) {
    Entry& entry = *e;
    const ClientOrderId& id = entry.order.client_order_id();
    if (entry.owed_since.is_none() || now - entry.owed_since < config_.fill_wait) continue;
    if (!entry.last_fills_query_at.is_none() && now - entry.last_fills_query_at < config_.fill_wait) continue;
    due.push_back(id);
    entry.last_fills_query_at = now;
  }
  return due;
}

}  // namespace colibri::connector
