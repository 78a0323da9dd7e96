// Replaces the global allocation functions of the core test binary with counting ones over
// malloc/free (see test_allocations.h). Every non-aligned form of new and delete is replaced so that
// allocation and deallocation always pair up, also under AddressSanitizer's mismatch checks.

#include <cstdlib>
#include <new>

#include "colibri/core/test_allocations.h"

namespace {

thread_local std::size_t allocations = 0;

void* counted_allocate(std::size_t size) noexcept {
  ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}

void* counted_allocate_or_throw(std::size_t size) {
  void* memory = counted_allocate(size);
  if (memory == nullptr) throw std::bad_alloc();
  return memory;
}

}  // namespace

namespace colibri::testing {

std::size_t allocations_on_this_thread() noexcept { return allocations; }

}  // namespace colibri::testing

void* operator new(std::size_t size) { return counted_allocate_or_throw(size); }
void* operator new[](std::size_t size) { return counted_allocate_or_throw(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_allocate(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_allocate(size); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete(void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete[](void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
