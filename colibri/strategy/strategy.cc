#include "colibri/strategy/strategy.h"

namespace colibri::strategy {

Result<void> StrategyContext::validate() const {
  if (scheduler == nullptr) return fail(ErrorCode::InvalidArgument, "strategy {}: scheduler is null", name);
  if (connectors.empty()) return fail(ErrorCode::InvalidArgument, "strategy {}: no connector", name);
  for (std::size_t i = 0; i < connectors.size(); ++i) {
    if (connectors[i] == nullptr) {
      return fail(ErrorCode::InvalidArgument, "strategy {}: connectors[{}] is null", name, i);
    }
  }
  return {};
}

Strategy::Strategy(StrategyContext context) : context_(std::move(context)) {
  if (auto ok = context_.validate(); !ok) throw StartupError(std::move(ok.error()));
}

Strategy::~Strategy() = default;

void Strategy::start(Clock&, Timestamp now) {
  if (started_) return;
  started_ = true;
  current_timestamp_ = now;
  for (connector::Connector* c : context_.connectors) subscribe(*c);
  on_start(now);
}

void Strategy::stop(Clock&) {
  if (!started_) return;
  started_ = false;
  subscriptions_.clear();  // unsubscribes: nothing reaches a stopped strategy
  on_stop();
}

void Strategy::tick(Timestamp now) {
  current_timestamp_ = now;
  on_tick(now);
}

void Strategy::subscribe(connector::Connector& c) {
  EventBus& bus = c.events();
  connector::Connector* from = &c;
  subscriptions_.push_back(bus.subscribe<model::OrderCreated>(
      [this, from](const model::OrderCreated& e) { on_order_created(*from, e); }));
  subscriptions_.push_back(bus.subscribe<model::OrderFilled>(
      [this, from](const model::OrderFilled& e) { on_order_filled(*from, e); }));
  subscriptions_.push_back(bus.subscribe<model::OrderCancelled>(
      [this, from](const model::OrderCancelled& e) { on_order_cancelled(*from, e); }));
  subscriptions_.push_back(bus.subscribe<model::OrderCompleted>(
      [this, from](const model::OrderCompleted& e) { on_order_completed(*from, e); }));
  subscriptions_.push_back(bus.subscribe<model::OrderFailed>(
      [this, from](const model::OrderFailed& e) { on_order_failed(*from, e); }));
  subscriptions_.push_back(bus.subscribe<model::OrderExpired>(
      [this, from](const model::OrderExpired& e) { on_order_expired(*from, e); }));
  subscriptions_.push_back(
      bus.subscribe<model::OrderLost>([this, from](const model::OrderLost& e) { on_order_lost(*from, e); }));
  subscriptions_.push_back(bus.subscribe<connector::OrderBookUpdated>(
      [this, from](const connector::OrderBookUpdated& e) { on_order_book_updated(*from, e); }));
  subscriptions_.push_back(bus.subscribe<connector::OrderBookOutOfSync>(
      [this, from](const connector::OrderBookOutOfSync& e) { on_order_book_out_of_sync(*from, e); }));
  subscriptions_.push_back(bus.subscribe<connector::PublicTradeEvent>(
      [this, from](const connector::PublicTradeEvent& e) { on_public_trade(*from, e); }));
}

}  // namespace colibri::strategy
