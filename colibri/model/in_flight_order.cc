#include "colibri/model/in_flight_order.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

namespace colibri::model {
namespace {

constexpr StateSet S(OrderState s) { return states_of(s); }
constexpr InputSet I(OrderInput i) { return inputs_of(i); }

constexpr StateSet kPendingCreate = S(OrderState::PendingCreate);
constexpr StateSet kPendingCancel = S(OrderState::PendingCancel);
constexpr StateSet kResting = S(OrderState::Open) | S(OrderState::PartiallyFilled);
constexpr InputSet kFills =
    I(OrderInput::FillPartial) | I(OrderInput::FillCompleting) | I(OrderInput::FillCoversAwaited);
constexpr InputSet kAllInputs = (InputSet{1} << kOrderInputCount) - 1;

using T = Target;
using L = LostEffect;
using In = OrderInput;

// THE transition table (DESIGN.md "Order lifecycle"). Rows are tried in order; exactly one matches
// each (state, input) pair (checked by InFlightOrder.TransitionTableIsCompleteAndUnambiguous).
// docs/ORDER_LIFECYCLE.md prints the same table: change both together.
constexpr std::array<Transition, 26> kTransitions{{
    // create answers
    {"C1", kPendingCreate | kPendingCancel, I(In::CreateRejected), T::Failed, L::Clear},
    {"C2", kPendingCreate | kResting | kPendingCancel, I(In::RejectedAfterAck), T::Keep, L::Keep},
    {"C3", kResting, I(In::CreateRejected), T::Keep, L::Keep},  // unreachable: Open implies acknowledged
    {"C4", kPendingCreate, I(In::CreateAmbiguous), T::Keep, L::Keep},
    {"C5", kResting | kPendingCancel, I(In::CreateAmbiguous), T::Keep, L::Keep},
    // the venue says the order lives
    {"A1", kPendingCreate, I(In::Acknowledged), T::Resting, L::Clear},
    {"A2", kResting, I(In::Acknowledged), T::Resting, L::Clear},
    {"A3", kPendingCancel, I(In::Acknowledged), T::Keep, L::Clear},
    // fills, from any live state (before the acknowledgement, while a cancel is pending)
    {"F1", kLiveStates, I(In::FillPartial), T::PartiallyFilled, L::Clear},
    {"F2", kLiveStates, I(In::FillCompleting), T::Filled, L::Clear},
    {"F3", kLiveStates, I(In::FillCoversAwaited), T::Awaited, L::Clear},
    // final reports
    {"R1", kLiveStates, I(In::ReportFilled), T::Filled, L::Clear},
    {"R2", kLiveStates, I(In::ReportCanceled), T::Canceled, L::Clear},
    {"R3", kLiveStates, I(In::ReportExpired), T::Expired, L::Clear},
    {"R4", kPendingCreate, I(In::FinalUncovered), T::Resting, L::Clear},
    {"R5", kResting | kPendingCancel, I(In::FinalUncovered), T::Keep, L::Clear},
    // cancels
    {"X1", kPendingCreate | kResting, I(In::CancelRequested), T::PendingCancel, L::Keep},
    {"X2", kPendingCancel, I(In::CancelRequested), T::Keep, L::Keep},
    {"X3", kPendingCancel, I(In::CancelRejected), T::BeforeCancel, L::Keep},
    {"X4", kPendingCreate | kResting, I(In::CancelRejected), T::Keep, L::Keep},
    {"X5", kLiveStates, I(In::CancelAmbiguous), T::Keep, L::Keep},
    // the tracker's verdicts
    {"N1", kLiveStates, I(In::NotFoundConfirmed), T::Keep, L::Set},
    {"W1", kLiveStates, I(In::FillWaitOver), T::Awaited, L::Clear},
    // final states never change: late fills only add to the totals; stale reports are merged
    {"Z1", kFinalStates, kFills, T::Keep, L::Clear},
    {"Z2", kFinalStates, I(In::CancelRequested), T::Refuse, L::Clear},
    {"Z3", kFinalStates, kAllInputs & ~kFills & ~I(In::CancelRequested), T::Keep, L::Clear},
}};

constexpr bool is_rejection(OrderInput input) {
  return input == In::CreateRejected || input == In::RejectedAfterAck;
}

}  // namespace

std::string_view to_string(OrderInput input) noexcept {
  switch (input) {
    case In::CreateRejected:
      return "CreateRejected";
    case In::RejectedAfterAck:
      return "RejectedAfterAck";
    case In::CreateAmbiguous:
      return "CreateAmbiguous";
    case In::Acknowledged:
      return "Acknowledged";
    case In::FillPartial:
      return "FillPartial";
    case In::FillCompleting:
      return "FillCompleting";
    case In::FillCoversAwaited:
      return "FillCoversAwaited";
    case In::ReportFilled:
      return "ReportFilled";
    case In::ReportCanceled:
      return "ReportCanceled";
    case In::ReportExpired:
      return "ReportExpired";
    case In::FinalUncovered:
      return "FinalUncovered";
    case In::CancelRequested:
      return "CancelRequested";
    case In::CancelRejected:
      return "CancelRejected";
    case In::CancelAmbiguous:
      return "CancelAmbiguous";
    case In::NotFoundConfirmed:
      return "NotFoundConfirmed";
    case In::FillWaitOver:
      return "FillWaitOver";
  }
  return "Unknown";
}

std::span<const Transition> transition_table() noexcept { return kTransitions; }

const Transition* find_transition(OrderState state, OrderInput input) noexcept {
  for (const Transition& row : kTransitions) {
    if ((row.from & states_of(state)) != 0 && (row.inputs & inputs_of(input)) != 0) return &row;
  }
  return nullptr;  // unreachable: the table is complete
}

InFlightOrder::InFlightOrder(const OrderRequest& request, Timestamp created_at) noexcept
    : request_(request), created_at_(created_at), last_venue_contact_(created_at) {}

OrderState InFlightOrder::resolve(Target target) const noexcept {
  switch (target) {
    case T::Keep:
    case T::Refuse:
      return state_;
    case T::Resting:
      return filled_.is_zero() ? OrderState::Open : OrderState::PartiallyFilled;
    case T::BeforeCancel:
      if (!acknowledged_) return OrderState::PendingCreate;
      return filled_.is_zero() ? OrderState::Open : OrderState::PartiallyFilled;
    case T::Awaited:
      return awaited_final_.value_or(state_);
    case T::PartiallyFilled:
      return OrderState::PartiallyFilled;
    case T::PendingCancel:
      return OrderState::PendingCancel;
    case T::Filled:
      return OrderState::Filled;
    case T::Canceled:
      return OrderState::Canceled;
    case T::Expired:
      return OrderState::Expired;
    case T::Failed:
      return OrderState::Failed;
  }
  return state_;
}

Result<OrderChange> InFlightOrder::apply(OrderInput input, Timestamp now, bool venue_spoke) {
  const Transition* row = find_transition(state_, input);
  assert(row != nullptr);
  if (row->to == T::Refuse) {
    return fail(ErrorCode::InvalidArgument, "order {} is {}: {} refused", request_.client_order_id,
                model::to_string(state_), to_string(input));
  }
  OrderChange change;
  change.row = row;
  change.before = state_;
  const bool was_live = !model::is_final(state_);
  const bool was_lost = lost_;

  if (venue_spoke) {
    not_found_count_ = 0;
    last_venue_contact_ = now;
    if (was_live && !is_rejection(input) && !acknowledged_) {
      acknowledged_ = true;
      change.acknowledged_now = true;
    }
  }
  if (acknowledged_) create_ambiguous_ = false;

  state_ = resolve(row->to);
  if (row->lost == L::Set) lost_ = true;
  if (row->lost == L::Clear) lost_ = false;

  switch (input) {
    case In::CreateAmbiguous:
      if (state_ == OrderState::PendingCreate) create_ambiguous_ = true;
      break;
    case In::CancelRequested:
      cancel_requested_ = true;
      cancel_requested_at_ = now;
      break;
    case In::CancelRejected:
      if (change.before == OrderState::PendingCancel) cancel_requested_ = false;
      break;
    case In::RejectedAfterAck:
      ++anomalies_;
      break;
    default:
      break;
  }

  if (was_live && model::is_final(state_)) {
    change.became_final = true;
    final_at_ = now;
    awaited_final_.reset();
    lost_ = false;
  }
  change.after = state_;
  change.became_lost = !was_lost && lost_;
  change.found_again = was_lost && !lost_ && !change.became_final;
  return change;
}

Result<OrderChange> InFlightOrder::on_create_rejected(Timestamp now) {
  return apply(acknowledged_ ? In::RejectedAfterAck : In::CreateRejected, now, true);
}

Result<OrderChange> InFlightOrder::on_create_ambiguous(Timestamp now) {
  return apply(In::CreateAmbiguous, now, false);
}

OrderInput InFlightOrder::classify_final_report(OrderState reported) const noexcept {
  if (filled_ < reported_filled_) return In::FinalUncovered;
  switch (reported) {
    case OrderState::Filled:
      return In::ReportFilled;
    case OrderState::Canceled:
      return In::ReportCanceled;
    default:
      return In::ReportExpired;
  }
}

Result<OrderChange> InFlightOrder::on_report(const OrderReport& report, Timestamp now) {
  switch (report.state) {
    case OrderState::Open:
    case OrderState::PartiallyFilled:
    case OrderState::Filled:
    case OrderState::Canceled:
    case OrderState::Expired:
    case OrderState::Failed:
      break;
    default:
      return fail(ErrorCode::InvalidArgument, "report for order {} has state {}", request_.client_order_id,
                  model::to_string(report.state));
  }
  if (report.cumulative_filled.is_negative()) {
    return fail(ErrorCode::InvalidArgument, "report for order {} has cumulative filled {}",
                request_.client_order_id, report.cumulative_filled);
  }
  if (!report.symbol.empty() && report.symbol != request_.symbol) {
    ++anomalies_;
    return fail(ErrorCode::Corrupt, "report for order {} names symbol {}, the order is on {}",
                request_.client_order_id, report.symbol, request_.symbol);
  }
  if (report.cumulative_filled > request_.quantity) {
    ++anomalies_;
    return fail(ErrorCode::Corrupt, "report for order {} claims {} filled of {}", request_.client_order_id,
                report.cumulative_filled, request_.quantity);
  }
  if (!report.exchange_order_id.empty()) {
    if (auto learned = set_exchange_order_id(report.exchange_order_id); !learned)
      return fail(learned.error());
  }

  // A Filled report means the whole quantity, whatever cumulative it carries.
  const Quantity claimed = report.state == OrderState::Filled ? request_.quantity : report.cumulative_filled;
  reported_filled_ = std::max(reported_filled_, claimed);

  OrderInput input = In::Acknowledged;
  switch (report.state) {
    case OrderState::Failed:
      input = acknowledged_ ? In::RejectedAfterAck : In::CreateRejected;
      break;
    case OrderState::Filled:
    case OrderState::Canceled:
    case OrderState::Expired:
      input = classify_final_report(report.state);
      if (model::is_final(state_) && report.state != state_) ++anomalies_;  // the venue contradicts itself
      break;
    default:
      break;
  }
  if (state_ == OrderState::Failed && report.state != OrderState::Failed) ++anomalies_;

  if (input == In::FinalUncovered && !model::is_final(state_)) {
    if (!awaited_final_) awaited_since_ = now;
    awaited_final_ = report.state;
  }
  return apply(input, now, true);
}

bool InFlightOrder::has_applied(const ExchangeTradeId& trade_id) const noexcept {
  const std::size_t inline_count = std::min(trade_id_count_, kInlineTradeIds);
  for (std::size_t i = 0; i < inline_count; ++i) {
    if (trade_ids_[i] == trade_id) return true;
  }
  return std::find(more_trade_ids_.begin(), more_trade_ids_.end(), trade_id) != more_trade_ids_.end();
}

void InFlightOrder::remember_trade_id(const ExchangeTradeId& id) {
  if (trade_id_count_ < kInlineTradeIds) {
    trade_ids_[trade_id_count_] = id;
  } else {
    more_trade_ids_.push_back(id);
  }
  ++trade_id_count_;
}

Result<OrderChange> InFlightOrder::on_fill(const Fill& fill, Timestamp now) {
  if (fill.trade_id.empty() || !fill.quantity.is_positive() || !fill.price.is_positive()) {
    return fail(ErrorCode::InvalidArgument, "fill of order {}: trade id \"{}\", quantity {}, price {}",
                request_.client_order_id, fill.trade_id, fill.quantity, fill.price);
  }
  if ((!fill.symbol.empty() && fill.symbol != request_.symbol) || fill.side != request_.side) {
    ++anomalies_;
    return fail(ErrorCode::Corrupt, "fill {} names {} {}, order {} is {} {}", fill.trade_id, fill.symbol,
                model::to_string(fill.side), request_.client_order_id, request_.symbol,
                model::to_string(request_.side));
  }
  if (has_applied(fill.trade_id)) {
    OrderChange duplicate;
    duplicate.before = duplicate.after = state_;
    return duplicate;
  }
  auto new_filled = filled_.checked_add(fill.quantity);
  if (!new_filled || *new_filled > request_.quantity) {
    ++anomalies_;
    return fail(ErrorCode::Corrupt, "fill {} of {} would fill order {} past its quantity {} (filled {})",
                fill.trade_id, fill.quantity, request_.client_order_id, request_.quantity, filled_);
  }
  FeeTotals new_fees = fees_;
  if (auto added = new_fees.add(fill.fee); !added) return fail(std::move(added.error()));
  if (!fill.exchange_order_id.empty()) {
    if (auto learned = set_exchange_order_id(fill.exchange_order_id); !learned) return fail(learned.error());
  }

  filled_ = *new_filled;
  filled_quote_ += fill.price * fill.quantity;
  fees_ = new_fees;
  remember_trade_id(fill.trade_id);
  if (state_ == OrderState::Failed) ++anomalies_;  // money moved on an order the venue had refused

  OrderInput input = In::FillPartial;
  if (filled_ == request_.quantity) {
    input = In::FillCompleting;
  } else if (awaited_final_ && filled_ >= reported_filled_) {
    input = In::FillCoversAwaited;
  }
  auto change = apply(input, now, true);
  if (change) change->fill_applied = true;
  return change;
}

Result<OrderChange> InFlightOrder::on_cancel_requested(Timestamp now) {
  return apply(In::CancelRequested, now, false);
}

Result<OrderChange> InFlightOrder::on_cancel_rejected(Timestamp now) {
  // A refused or unsent cancel says nothing about whether the order exists.
  return apply(In::CancelRejected, now, false);
}

Result<OrderChange> InFlightOrder::on_cancel_ambiguous(Timestamp now) {
  return apply(In::CancelAmbiguous, now, false);
}

Result<OrderChange> InFlightOrder::on_not_found_confirmed(Timestamp now) {
  return apply(In::NotFoundConfirmed, now, false);
}

Result<OrderChange> InFlightOrder::on_fill_wait_over(Timestamp now) {
  if (!awaited_final_) {
    return fail(ErrorCode::InvalidArgument, "order {} awaits no fills", request_.client_order_id);
  }
  return apply(In::FillWaitOver, now, false);
}

Result<void> InFlightOrder::set_exchange_order_id(const ExchangeOrderId& id) {
  if (id.empty()) return fail(ErrorCode::InvalidArgument, "empty exchange order id");
  if (exchange_order_id_.empty()) {
    exchange_order_id_ = id;
    return {};
  }
  if (exchange_order_id_ != id) {
    ++anomalies_;
    return fail(ErrorCode::Corrupt, "order {} has exchange id {}, the venue now says {}",
                request_.client_order_id, exchange_order_id_, id);
  }
  return {};
}

Price InFlightOrder::average_price() const noexcept {
  if (filled_.is_zero()) return Price::zero();
  // 10^-16 quote units / 10^-8 base units = 10^-8 price units; bounded by the fill prices.
  const Int128 avg = detail::divide(filled_quote_.raw(), filled_.raw(), Rounding::NearestEven);
  return Price::from_raw(static_cast<std::int64_t>(avg));
}

}  // namespace colibri::model
