#pragma once
// Test-only: counts heap allocations, to check that hot paths do not allocate (DESIGN.md decision 9).
// Defined in allocation_counter_test.cc, which replaces the global operator new/delete of the core
// test binary; nothing in the library includes this header.

#include <cstddef>

namespace colibri::testing {

// Calls of the global operator new (any non-aligned form) made so far by the calling thread.
std::size_t allocations_on_this_thread() noexcept;

}  // namespace colibri::testing
