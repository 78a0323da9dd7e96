#pragma once
// Driving a LiveScheduler's loop from a test: real sockets, bounded waits.

#include <chrono>

#include "colibri/core/live_scheduler.h"
#include "colibri/core/time.h"

namespace colibri::testing {

// Runs `scheduler`'s loop in 5 ms slices until `done()` is true or `limit` has passed on the
// scheduler's clock; returns done(). Every network test waits through this, so none can hang.
template <typename Pred>
bool run_until(LiveScheduler& scheduler, Pred done, Duration limit = std::chrono::seconds(10)) {
  const Timestamp deadline = scheduler.now() + limit;
  while (!done() && scheduler.now() < deadline) scheduler.run_for(std::chrono::milliseconds(5));
  return done();
}

}  // namespace colibri::testing
