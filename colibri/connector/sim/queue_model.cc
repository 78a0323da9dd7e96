#include "colibri/connector/sim/queue_model.h"

#include <algorithm>
#include <cmath>

namespace colibri::connector::sim {

void RiskAverseQueueModel::on_depth_change(QueuePosition& position, Quantity /*previous*/,
                                           Quantity current) const noexcept {
  // Cancellations are assumed to be behind us: only a level smaller than our queue ahead proves
  // that some of the queue ahead left.
  position.traded_since_depth = Quantity::zero();
  if (current < position.ahead) position.ahead = current.is_negative() ? Quantity::zero() : current;
}

namespace detail {

void apply_probable_decrease(QueuePosition& position, double change, double back, Quantity current,
                             double p) noexcept {
  const double front = static_cast<double>(position.ahead.raw());
  // The part (1 - p) of the decrease left ahead of us; if the part attributed to the back is more
  // than the back holds, the excess must have come from the front too.
  const double estimate = front - (1.0 - p) * change + std::min(back - p * change, 0.0);
  const double capped = std::min(estimate, static_cast<double>(current.raw()));
  position.ahead = capped <= 0.0 ? Quantity::zero() : Quantity::from_raw(std::llround(capped));
}

}  // namespace detail
Result<std::unique_ptr<QueueModel>> make_queue_model(std::string_view name, double power) {
  const bool uses_power = name.starts_with("prob_power");
  if (uses_power && !(power > 0 && std::isfinite(power))) {
    return fail(ErrorCode::InvalidArgument, "queue model {}: power must be > 0, got {}", name, power);
  }
  if (name == "risk_averse") return std::make_unique<RiskAverseQueueModel>();
  if (name == "prob_power") return std::make_unique<ProbQueueModel<PowerProbQueueFunc>>(PowerProbQueueFunc(power));
  if (name == "prob_power2") return std::make_unique<ProbQueueModel<PowerProbQueueFunc2>>(PowerProbQueueFunc2(power));
  if (name == "prob_power3") return std::make_unique<ProbQueueModel<PowerProbQueueFunc3>>(PowerProbQueueFunc3(power));
  if (name == "prob_log") return std::make_unique<ProbQueueModel<LogProbQueueFunc>>();
  if (name == "prob_log2") return std::make_unique<ProbQueueModel<LogProbQueueFunc2>>();
  return fail(ErrorCode::InvalidArgument, "unknown queue model \"{}\" (allowed: {})", name, kQueueModelNames);
}

}  // namespace colibri::connector::sim
