#pragma once
// Queue-position models: where one of our resting orders stands in the FIFO queue of its price
// level, estimated from L2 data (aggregate quantity per level) and public trades — we never see
// the individual orders ahead of us. Formulas follow hftbacktest (nkaz001/hftbacktest,
// src/backtest/models/queue.rs); docs/SIM_EXCHANGE.md states them and what each one assumes.
//
// Every model starts an order at the back of its level (queue ahead = the level's quantity when
// the order arrives) and advances it by the quantity of public trades at its price. They differ
// in what a decrease of the level's quantity (a diff) means:
//   RiskAverseQueueModel     every decrease happened behind us; we only move up when the level
//                            shrinks below our queue ahead (ahead = min(ahead, level)).
//   ProbQueueModel<Func>     a decrease happened behind us with probability
//                            p = Func(front, back), ahead of us with 1 - p.
//
// Models are stateless (the state is the QueuePosition each order carries), cheap, noexcept,
// allocation-free, and safe to share between matching engines on one thread.

#include <cmath>
#include <cstdint>
#include <memory>
#include <string_view>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"

namespace colibri::connector::sim {

// One resting order's place in its level's queue.
// Invariants: (1) ahead >= 0; (2) traded_since_depth >= 0.
struct QueuePosition {
  Quantity ahead;               // estimated quantity queued before our order at its price
  Quantity traded_since_depth;  // public trades at our price since the last depth change
                                // (ProbQueueModel: trades also show up later as a depth
                                // decrease and must not advance us twice)
};

class QueueModel {
 public:
  virtual ~QueueModel() = default;

  // Our order joins the back of a level that shows `level_quantity` (>= 0).
  void on_order_rested(QueuePosition& position, Quantity level_quantity) const noexcept {
    position.ahead = level_quantity.is_negative() ? Quantity::zero() : level_quantity;
    position.traded_since_depth = Quantity::zero();
  }

  // A public trade of `traded` (> 0) at our order's price against our side. Returns the part of
  // it that reached our order, i.e. what traded beyond the queue ahead (zero while the queue
  // ahead is not consumed). The caller fills min(returned, our remaining quantity).
  [[nodiscard]] Quantity on_trade(QueuePosition& position, Quantity traded) const noexcept {
    position.traded_since_depth += traded;
    if (traded <= position.ahead) {
      position.ahead -= traded;
      return Quantity::zero();
    }
    const Quantity reached = traded - position.ahead;
    position.ahead = Quantity::zero();
    return reached;
  }

  // The level at our price changed from `previous` to `current` quantity (a diff or snapshot).
  virtual void on_depth_change(QueuePosition& position, Quantity previous,
                               Quantity current) const noexcept = 0;

  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
};

// Conservative: a depth decrease is assumed to be behind us, so only trades (and a level shrinking
// below our queue ahead) move the order up. hftbacktest's RiskAdverseQueueModel.
class RiskAverseQueueModel final : public QueueModel {
 public:
  void on_depth_change(QueuePosition& position, Quantity previous, Quantity current) const noexcept override;
  [[nodiscard]] std::string_view name() const noexcept override { return "risk_averse"; }
};

namespace detail {
// hftbacktest's ProbQueueModel::depth, given p = P(the decrease is behind us):
//   change = previous - current - traded_since_depth   (trades were already counted)
//   change < 0 (growth): ahead = min(ahead, current)
//   otherwise: front = ahead, back = previous - front,
//              ahead = min(front - (1 - p) * change + min(back - p * change, 0), current), >= 0
// In double over raw 1e-8 units, rounded to the nearest unit (deterministic).
void apply_probable_decrease(QueuePosition& position, double change, double back, Quantity current,
                             double p) noexcept;
}  // namespace detail

// Probability-based: a depth decrease is split between the queue ahead and behind our order with
// probability p = Func(front, back) of being behind (front, back in raw quantity units). Func is
// one of the probability functions below (or any callable double(double front, double back)).
template <typename Func>
class ProbQueueModel final : public QueueModel {
 public:
  explicit ProbQueueModel(Func func = Func()) noexcept : func_(func) {}

  void on_depth_change(QueuePosition& position, Quantity previous, Quantity current) const noexcept override {
    const Quantity traded = position.traded_since_depth;
    position.traded_since_depth = Quantity::zero();
    const std::int64_t change = previous.raw() - current.raw() - traded.raw();
    if (change < 0) {  // the level grew: newcomers join behind us
      if (current < position.ahead) position.ahead = current;
      return;
    }
    const double front = static_cast<double>(position.ahead.raw());
    const double back = static_cast<double>(previous.raw()) - front;
    double p = func_(front, back);
    if (!std::isfinite(p)) p = 1.0;  // 0/0 (empty level): nothing ahead to lose
    detail::apply_probable_decrease(position, static_cast<double>(change), back, current, p);
  }
  [[nodiscard]] std::string_view name() const noexcept override { return func_.name(); }
  [[nodiscard]] const Func& func() const noexcept { return func_; }

 private:
  Func func_;
};

// f(x) = x^n; p = f(back) / (f(back) + f(front)). n = 1: proportional; larger n: more
// of a decrease is attributed to the bigger side.
class PowerProbQueueFunc {
 public:
  explicit PowerProbQueueFunc(double n = 2.0) noexcept : n_(n) {}
  [[nodiscard]] double operator()(double front, double back) const noexcept {
    const double fb = std::pow(back, n_);
    return fb / (fb + std::pow(front, n_));
  }
  [[nodiscard]] std::string_view name() const noexcept { return "prob_power"; }

 private:
  double n_;
};

// f(x) = x^n; p = f(back) / f(back + front).
class PowerProbQueueFunc2 {
 public:
  explicit PowerProbQueueFunc2(double n = 2.0) noexcept : n_(n) {}
  [[nodiscard]] double operator()(double front, double back) const noexcept {
    return std::pow(back, n_) / std::pow(back + front, n_);
  }
  [[nodiscard]] std::string_view name() const noexcept { return "prob_power2"; }

 private:
  double n_;
};

// f(x) = x^n; p = 1 - f(front / (front + back)).
class PowerProbQueueFunc3 {
 public:
  explicit PowerProbQueueFunc3(double n = 2.0) noexcept : n_(n) {}
  [[nodiscard]] double operator()(double front, double back) const noexcept {
    return 1.0 - std::pow(front / (front + back), n_);
  }
  [[nodiscard]] std::string_view name() const noexcept { return "prob_power3"; }

 private:
  double n_;
};

// f(x) = log(1 + x); p = f(back) / (f(back) + f(front)). x in base units (not raw units), so
// that the curvature does not depend on the fixed-point scale.
class LogProbQueueFunc {
 public:
  [[nodiscard]] double operator()(double front, double back) const noexcept {
    const double fb = std::log1p(back / static_cast<double>(Quantity::kScale));
    return fb / (fb + std::log1p(front / static_cast<double>(Quantity::kScale)));
  }
  [[nodiscard]] std::string_view name() const noexcept { return "prob_log"; }
};

// f(x) = log(1 + x); p = f(back) / f(back + front).
class LogProbQueueFunc2 {
 public:
  [[nodiscard]] double operator()(double front, double back) const noexcept {
    constexpr double kScale = static_cast<double>(Quantity::kScale);
    return std::log1p(back / kScale) / std::log1p((back + front) / kScale);
  }
  [[nodiscard]] std::string_view name() const noexcept { return "prob_log2"; }
};

// The queue model named `name` ("risk_averse", "prob_power", "prob_power2", "prob_power3",
// "prob_log", "prob_log2"); `power` is n of the prob_power* functions (> 0). InvalidArgument naming
// the allowed names, or the power, otherwise.
[[nodiscard]] Result<std::unique_ptr<QueueModel>> make_queue_model(std::string_view name, double power = 2.0);
inline constexpr std::string_view kQueueModelNames =
    "risk_averse, prob_power, prob_power2, prob_power3, prob_log, prob_log2";

}  // namespace colibri::connector::sim
