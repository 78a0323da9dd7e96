#pragma once
// InFlightOrder: one order's state machine (DESIGN.md "Order lifecycle", Hummingbot's InFlightOrder).
//
// Every input — our own actions (cancel requested), the venue's answers (create rejected or
// ambiguous, cancel rejected), its reports and fills, and the tracker's verdicts (not found
// confirmed, fill wait over) — is first CLASSIFIED into one OrderInput from the facts the order
// holds (how much is filled, whether the venue ever acknowledged it), then looked up in ONE
// transition table, kTransitions (in_flight_order.cc; docs/ORDER_LIFECYCLE.md prints it), which
// gives the next state and what happens to the lost flag. Nothing else changes the state.
//
// Merging rules (late information is merged, never rejected):
//  - reports are cumulative; a report older than what we know (an Open report after fills) changes
//    nothing but the fact that the venue knows the order;
//  - a fill is applied exactly once per exchange trade id (the order keeps the ids it applied);
//    fills may arrive before the acknowledgement, while a cancel is pending, or after the order is
//    final: they always count in the totals, and a final order stays final;
//  - a final report (Filled, Canceled, Expired) whose cumulative quantity is not yet covered by
//    applied fills does not end the order: it is remembered (awaited_final()) and takes effect when
//    the fills arrive, or when the owner gives up waiting (on_fill_wait_over: the tracker bounds the
//    wait and asks for a fills query first);
//  - "not found" is counted by the owner (OrderTracker); once confirmed the order is flagged *lost*
//    but keeps its state and keeps taking reports and fills; any later word from the venue about it
//    clears the flag;
//  - filled quantity never exceeds the order quantity: a fill or report claiming more is refused
//    (Corrupt) and the order is flagged (anomalies()).
//
// Each input returns Result<OrderChange>: what changed (for the owner's events), or an error when
// the input was refused — InvalidArgument (malformed input or a request that makes no sense, e.g.
// cancelling a final order), Corrupt (the venue contradicts itself: overfill, another exchange order
// id, another symbol or side). A refused input leaves the order unchanged except for anomalies().
//
// Allocation: the fill path does not allocate for an order's first kInlineTradeIds fills (trade ids
// and fees live inline); later fills may grow the trade-id list. Errors allocate their message.
//
// Not thread-safe: owned by the event-loop thread (through OrderTracker).
//
// Invariants:
//  (1) Zero <= filled() <= quantity(); filled_quote() is the sum of price × quantity of the applied
//      fills; each applied trade id appears once in the applied list.
//  (2) state() == PendingCreate iff the order is live and was never acknowledged (no report or fill).
//  (3) state() == PartiallyFilled implies 0 < filled() < quantity(); state() == Open implies
//      filled() == 0. (A venue report of PartiallyFilled before its fill arrives leaves Open.)
//  (4) Once is_final(), the state never changes again; only late fills add to the totals.
//  (5) awaited_final() is set only while the order is live, and then reported_filled() > filled().
//  (6) is_lost() implies the order is live.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/core/time.h"
#include "colibri/model/fees.h"
#include "colibri/model/order.h"

namespace colibri::model {

// What happened, classified (see kTransitions in in_flight_order.cc).
enum class OrderInput : std::uint8_t {
  CreateRejected,     // the create was definitely refused, and the venue never acknowledged the order
  RejectedAfterAck,   // a definite rejection of an order the venue already acknowledged: contradiction
  CreateAmbiguous,    // the create's outcome is unknown (timeout, 5xx, disconnect)
  Acknowledged,       // a report says the order lives (Open or PartiallyFilled)
  FillPartial,        // a new fill that leaves the order short of its quantity and of any awaited final
  FillCompleting,     // a new fill that brings filled() to quantity()
  FillCoversAwaited,  // a new fill that covers the cumulative quantity of an awaited final report
  ReportFilled,       // a Filled report covered by applied fills
  ReportCanceled,     // a Canceled report covered by applied fills
  ReportExpired,      // an Expired report covered by applied fills
  FinalUncovered,     // a final report whose cumulative quantity exceeds filled(): remembered, awaited
  CancelRequested,    // we are about to send a cancel
  CancelRejected,     // the cancel definitely did not happen (refused, not sent)
  CancelAmbiguous,    // the cancel's outcome is unknown
  NotFoundConfirmed,  // the owner counted enough consecutive "not found" answers
  FillWaitOver,       // the owner stops waiting for the fills of an awaited final report
};
inline constexpr std::size_t kOrderInputCount = 16;

[[nodiscard]] std::string_view to_string(OrderInput input) noexcept;

// The next state of a transition.
enum class Target : std::uint8_t {
  Keep,          // no state change
  Resting,       // Open if nothing is filled, else PartiallyFilled
  BeforeCancel,  // the state the pending cancel interrupted: Resting if acknowledged, else PendingCreate
  Awaited,       // the awaited final state (Filled, Canceled or Expired)
  Refuse,        // the input is refused (InvalidArgument), nothing changes
  PartiallyFilled,
  PendingCancel,
  Filled,
  Canceled,
  Expired,
  Failed,
};

enum class LostEffect : std::uint8_t { Keep, Set, Clear };

// A set of states, as a bit mask indexed by OrderState.
using StateSet = std::uint16_t;
[[nodiscard]] constexpr StateSet states_of(OrderState s) noexcept {
  return static_cast<StateSet>(1u << static_cast<unsigned>(s));
}
inline constexpr StateSet kLiveStates = states_of(OrderState::PendingCreate) | states_of(OrderState::Open) |
                                        states_of(OrderState::PartiallyFilled) |
                                        states_of(OrderState::PendingCancel);
inline constexpr StateSet kFinalStates = states_of(OrderState::Filled) | states_of(OrderState::Canceled) |
                                         states_of(OrderState::Expired) | states_of(OrderState::Failed);

// A set of inputs, as a bit mask indexed by OrderInput.
using InputSet = std::uint32_t;
[[nodiscard]] constexpr InputSet inputs_of(OrderInput i) noexcept {
  return static_cast<InputSet>(1u << static_cast<unsigned>(i));
}

// One row of the transition table. `id` names the row in tests and in docs/ORDER_LIFECYCLE.md.
struct Transition {
  std::string_view id;
  StateSet from;
  InputSet inputs;
  Target to;
  LostEffect lost;
};

// The transition table: exactly one row matches every (live or final state, input) pair.
[[nodiscard]] std::span<const Transition> transition_table() noexcept;
// The row for (state, input); never null (the table is complete, checked by a test).
[[nodiscard]] const Transition* find_transition(OrderState state, OrderInput input) noexcept;

// What one accepted input did, for the owner's events.
struct OrderChange {
  const Transition* row = nullptr;  // the row applied; null when the input was a duplicate fill
  OrderState before = OrderState::PendingCreate;
  OrderState after = OrderState::PendingCreate;
  bool acknowledged_now = false;  // first word from the venue: emit OrderCreated (once)
  bool fill_applied = false;      // a new fill counted in the totals: emit OrderFilled
  bool became_final = false;      // emit the terminal event for `after` (once)
  bool became_lost = false;       // emit OrderLost
  bool found_again = false;       // was lost, the venue knows it after all
  [[nodiscard]] bool state_changed() const noexcept { return before != after; }
};

class InFlightOrder {
 public:
  static constexpr std::size_t kInlineTradeIds = 8;

  // Starts in PendingCreate. The request must be valid (non-empty id, positive quantity): the
  // owner checks that (OrderTracker::start_tracking).
  InFlightOrder(const OrderRequest& request, Timestamp created_at) noexcept;

  // --- inputs (see the top of this file for errors and merging rules)
  Result<OrderChange> on_create_rejected(Timestamp now);
  Result<OrderChange> on_create_ambiguous(Timestamp now);
  // Any venue report: a place or cancel answer, a query answer or a user-stream push. Its state must
  // be Open, PartiallyFilled, Filled, Canceled, Expired or Failed (InvalidArgument otherwise). The
  // report's exchange order id, when present, is learned (Corrupt if it differs from a known one).
  Result<OrderChange> on_report(const OrderReport& report, Timestamp now);
  // A fill. A trade id already applied returns an OrderChange with fill_applied == false (a
  // duplicate; nothing changes). InvalidArgument for an empty trade id or a non-positive quantity or
  // price; Corrupt for another symbol or side, or a quantity past the order quantity (flagged).
  Result<OrderChange> on_fill(const Fill& fill, Timestamp now);
  // InvalidArgument when the order is final.
  Result<OrderChange> on_cancel_requested(Timestamp now);
  Result<OrderChange> on_cancel_rejected(Timestamp now);
  Result<OrderChange> on_cancel_ambiguous(Timestamp now);
  Result<OrderChange> on_not_found_confirmed(Timestamp now);
  // Ends the order in its awaited final state with the fills it has. InvalidArgument when nothing is
  // awaited.
  Result<OrderChange> on_fill_wait_over(Timestamp now);
  // Learns the venue's id (from an answer that carries it). Corrupt when a different one is known.
  Result<void> set_exchange_order_id(const ExchangeOrderId& id);

  // --- "not found" counting, for the owner: consecutive answers since the venue last spoke of it
  std::uint32_t count_not_found() noexcept { return ++not_found_count_; }
  [[nodiscard]] std::uint32_t not_found_count() const noexcept { return not_found_count_; }

  // --- what we know
  [[nodiscard]] const OrderRequest& request() const noexcept { return request_; }
  [[nodiscard]] const ClientOrderId& client_order_id() const noexcept { return request_.client_order_id; }
  [[nodiscard]] const ExchangeOrderId& exchange_order_id() const noexcept { return exchange_order_id_; }
  [[nodiscard]] const Symbol& symbol() const noexcept { return request_.symbol; }
  [[nodiscard]] Side side() const noexcept { return request_.side; }
  [[nodiscard]] Quantity quantity() const noexcept { return request_.quantity; }
  [[nodiscard]] Price price() const noexcept { return request_.price; }

  [[nodiscard]] OrderState state() const noexcept { return state_; }
  [[nodiscard]] bool is_final() const noexcept { return model::is_final(state_); }
  [[nodiscard]] bool is_live() const noexcept { return !is_final(); }
  [[nodiscard]] bool is_lost() const noexcept { return lost_; }
  [[nodiscard]] bool is_acknowledged() const noexcept { return acknowledged_; }
  [[nodiscard]] bool is_create_ambiguous() const noexcept { return create_ambiguous_; }
  [[nodiscard]] bool cancel_requested() const noexcept { return cancel_requested_; }

  [[nodiscard]] Quantity filled() const noexcept { return filled_; }
  [[nodiscard]] Quantity remaining() const noexcept { return request_.quantity - filled_; }
  [[nodiscard]] Notional filled_quote() const noexcept { return filled_quote_; }
  // filled_quote() / filled(), rounded to the nearest 1e-8 (ties to even); zero when nothing filled.
  [[nodiscard]] Price average_price() const noexcept;
  [[nodiscard]] const FeeTotals& fees() const noexcept { return fees_; }
  [[nodiscard]] std::size_t fill_count() const noexcept { return trade_id_count_; }
  [[nodiscard]] bool has_applied(const ExchangeTradeId& trade_id) const noexcept;

  // The largest cumulative filled quantity the venue reported; fills are owed while it exceeds filled().
  [[nodiscard]] Quantity reported_filled() const noexcept { return reported_filled_; }
  [[nodiscard]] bool fills_owed() const noexcept { return reported_filled_ > filled_; }
  [[nodiscard]] std::optional<OrderState> awaited_final() const noexcept { return awaited_final_; }

  // Inputs refused as contradictions or overfills (Corrupt), and rejections after acknowledgement.
  [[nodiscard]] std::uint32_t anomalies() const noexcept { return anomalies_; }
  // The error code and message of a create rejection, for OrderFailed (ErrorCode::Rejected by default).
  [[nodiscard]] ErrorCode failure_code() const noexcept { return failure_code_; }

  [[nodiscard]] Timestamp created_at() const noexcept { return created_at_; }
  [[nodiscard]] Timestamp last_venue_contact() const noexcept { return last_venue_contact_; }
  [[nodiscard]] Timestamp cancel_requested_at() const noexcept { return cancel_requested_at_; }
  [[nodiscard]] Timestamp awaited_since() const noexcept { return awaited_since_; }
  [[nodiscard]] Timestamp final_at() const noexcept { return final_at_; }

  // For restoring from the store and for tests: the failure reason a rejection carried.
  void set_failure_code(ErrorCode code) noexcept { failure_code_ = code; }

 private:
  // Applies `input` through the table. `venue_spoke` marks information from the venue about this
  // order (clears the not-found count, counts as contact, acknowledges it unless it is a rejection).
  Result<OrderChange> apply(OrderInput input, Timestamp now, bool venue_spoke);
  OrderState resolve(Target target) const noexcept;
  OrderInput classify_final_report(OrderState reported) const noexcept;
  void remember_trade_id(const ExchangeTradeId& id);

  OrderRequest request_;
  ExchangeOrderId exchange_order_id_;
  OrderState state_ = OrderState::PendingCreate;
  bool acknowledged_ = false;
  bool lost_ = false;
  bool create_ambiguous_ = false;
  bool cancel_requested_ = false;
  std::optional<OrderState> awaited_final_;
  ErrorCode failure_code_ = ErrorCode::Rejected;

  Quantity filled_;
  Notional filled_quote_;
  Quantity reported_filled_;
  FeeTotals fees_;
  std::array<ExchangeTradeId, kInlineTradeIds> trade_ids_{};
  std::vector<ExchangeTradeId> more_trade_ids_;  // past the inline ones
  std::size_t trade_id_count_ = 0;

  std::uint32_t not_found_count_ = 0;
  std::uint32_t anomalies_ = 0;
  Timestamp created_at_;
  Timestamp last_venue_contact_;
  Timestamp cancel_requested_at_ = Timestamp::none();
  Timestamp awaited_since_ = Timestamp::none();
  Timestamp final_at_ = Timestamp::none();
};

}  // namespace colibri::model
