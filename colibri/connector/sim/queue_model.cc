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
}  // namespace colibri::connector::sim
