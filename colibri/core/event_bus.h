#pragma once
// EventBus: typed, synchronous publish/subscribe between the parts of one bot (connectors, order
// tracking, strategies, recorders).
//
//   EventBus bus;
//   Subscription sub = bus.subscribe<OrderFilled>([&](const OrderFilled& fill) { ... });
//   bus.publish(OrderFilled{...});   // calls every OrderFilled listener now, in subscription order
//
// Dispatch is synchronous: publish() returns after every listener ran. Listeners run in the order
// they subscribed. During a dispatch:
//  - a listener unsubscribed (itself or another) is not called afterwards in that dispatch;
//  - a listener subscribed is not called until that dispatch (and any publish of the same event type
//    nested in it) has finished;
//  - a listener may publish (the same or another type): the nested dispatch runs to completion
//    before the outer one continues.
// Listeners must not throw; if one does, the exception propagates out of publish() and the bus
// stays consistent.
//
// Cost: publish() does not allocate; it finds its channel by a per-type index into a vector (O(1))
// and calls each listener through a std::function. subscribe() allocates.
//
// Not thread-safe: a bus belongs to one event-loop thread. Ownership: the bus owns the listeners'
// callables; a Subscription owns the registration. The bus must outlive every Subscription taken
// from it, and must not be destroyed during a dispatch.

#include <algorithm>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace colibri {

class EventBus;

// An RAII registration: destroying it, or calling reset(), unsubscribes the listener. Move-only.
// A default-constructed Subscription is inactive.
class Subscription {
 public:
  Subscription() = default;
  ~Subscription() { reset(); }
  Subscription(Subscription&& other) noexcept
      : bus_(std::exchange(other.bus_, nullptr)), channel_(other.channel_), listener_(other.listener_) {}
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      reset();
      bus_ = std::exchange(other.bus_, nullptr);
      channel_ = other.channel_;
      listener_ = other.listener_;
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Unsubscribes now (safe during a dispatch, also from the listener itself). Idempotent.
  inline void reset() noexcept;
  [[nodiscard]] bool active() const noexcept { return bus_ != nullptr; }

 private:
  friend class EventBus;
  Subscription(EventBus* bus, std::size_t channel, std::uint64_t listener) noexcept
      : bus_(bus), channel_(channel), listener_(listener) {}

  EventBus* bus_ = nullptr;
  std::size_t channel_ = 0;
  std::uint64_t listener_ = 0;
};

namespace detail {

// Dense indexes for event types, assigned on first use, shared by every bus in the process.
inline std::size_t next_event_type_index() noexcept {
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed);
}

template <typename E>
std::size_t event_type_index() noexcept {
  static const std::size_t index = next_event_type_index();
  return index;
}

}  // namespace detail

class EventBus {
 public:
  EventBus() = default;
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  // Registers `listener` (callable as listener(const E&)) for events of type E. The returned
  // Subscription keeps it registered; discarding it unsubscribes at once, hence [[nodiscard]].
  template <typename E, typename F>
  requires std::invocable<F&, const E&>
  [[nodiscard]] Subscription subscribe(F&& listener) {
    static_assert(std::is_same_v<E, std::remove_cvref_t<E>>, "subscribe to the plain event type");
    const std::size_t index = detail::event_type_index<E>();
    if (index >= channels_.size()) channels_.resize(index + 1);
    if (!channels_[index]) channels_[index] = std::make_unique<Channel<E>>();
    const std::uint64_t id = next_listener_id_++;
    static_cast<Channel<E>&>(*channels_[index])
        .add(id, std::function<void(const E&)>(std::forward<F>(listener)));
    return {this, index, id};
  }

  // Calls every listener of E, in subscription order, before returning. Does not allocate.
  template <typename E>
  void publish(const E& event) {
    const std::size_t index = detail::event_type_index<E>();
    if (index >= channels_.size() || !channels_[index]) return;
    static_cast<Channel<E>&>(*channels_[index]).dispatch(event);
  }

  // Number of listeners of E that a publish starting now would call, plus those waiting for a
  // dispatch in progress to end.
  template <typename E>
  [[nodiscard]] std::size_t listener_count() const noexcept {
    const std::size_t index = detail::event_type_index<E>();
    return index < channels_.size() && channels_[index] ? channels_[index]->listener_count() : 0;
  }

 private:
  friend class Subscription;

  struct ChannelBase {
    virtual ~ChannelBase() = default;
    virtual void remove(std::uint64_t listener) noexcept = 0;
    [[nodiscard]] virtual std::size_t listener_count() const noexcept = 0;
  };

  // The listeners of one event type.
  // Invariants: (1) listeners_ is in subscription order and does not change size while
  // dispatch_depth_ > 0 (so a running std::function never moves); (2) a listener removed during a
  // dispatch keeps its slot with id 0 (a hole; its callable stays alive, since it may be the one
  // running) until the outermost dispatch ends; has_holes_ is true iff there is such a slot;
  // (3) listeners subscribed during a dispatch wait in added_ and join listeners_, in order, when
  // the outermost dispatch ends; (4) ids are unique and never 0.
  template <typename E>
  class Channel final : public ChannelBase {
   public:
    void add(std::uint64_t id, std::function<void(const E&)> call) {
      (dispatch_depth_ > 0 ? added_ : listeners_).push_back(Listener{id, std::move(call)});
    }

    void remove(std::uint64_t id) noexcept override {
      const auto matches = [id](const Listener& l) { return l.id == id; };
      if (auto it = std::find_if(listeners_.begin(), listeners_.end(), matches); it != listeners_.end()) {
        if (dispatch_depth_ > 0) {
          it->id = 0;
          has_holes_ = true;
        } else {
          listeners_.erase(it);
        }
      } else if (auto pending = std::find_if(added_.begin(), added_.end(), matches);
                 pending != added_.end()) {
        added_.erase(pending);
      }
    }

    [[nodiscard]] std::size_t listener_count() const noexcept override {
      const auto holes = static_cast<std::size_t>(
          std::count_if(listeners_.begin(), listeners_.end(), [](const Listener& l) { return l.id == 0; }));
      return listeners_.size() - holes + added_.size();
    }

    void dispatch(const E& event) {
      DispatchScope scope(*this);
      const std::size_t count = listeners_.size();
      for (std::size_t i = 0; i < count; ++i) {
        if (listeners_[i].id != 0) listeners_[i].call(event);
      }
    }

   private:
    struct Listener {
      std::uint64_t id;  // 0: removed during a dispatch
      std::function<void(const E&)> call;
    };

    class DispatchScope {
     public:
      explicit DispatchScope(Channel& channel) noexcept : channel_(channel) { ++channel_.dispatch_depth_; }
      ~DispatchScope() {
        if (--channel_.dispatch_depth_ == 0) channel_.settle();
      }
      DispatchScope(const DispatchScope&) = delete;
      DispatchScope& operator=(const DispatchScope&) = delete;

     private:
      Channel& channel_;
    };

    // Applies the changes deferred during a dispatch. Allocates only if listeners were added.
    void settle() {
      if (has_holes_) {
        std::erase_if(listeners_, [](const Listener& l) { return l.id == 0; });
        has_holes_ = false;
      }
      if (!added_.empty()) {
        std::move(added_.begin(), added_.end(), std::back_inserter(listeners_));
        added_.clear();
      }
    }

    std::vector<Listener> listeners_;
    std::vector<Listener> added_;
    int dispatch_depth_ = 0;
    bool has_holes_ = false;
  };

  void unsubscribe(std::size_t channel, std::uint64_t listener) noexcept {
    channels_[channel]->remove(listener);
  }

  // Indexed by detail::event_type_index<E>(); null for types never subscribed on this bus.
  std::vector<std::unique_ptr<ChannelBase>> channels_;
  std::uint64_t next_listener_id_ = 1;
};

inline void Subscription::reset() noexcept {
  if (bus_ != nullptr) std::exchange(bus_, nullptr)->unsubscribe(channel_, listener_);
}

}  // namespace colibri
