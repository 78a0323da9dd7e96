#pragma once
// Ledger: the simulated exchange's balances, per account and asset, exact to 1e-8.
//
// An asset's `total` is what the account owns; `locked` is the part held by open orders (on
// Binance: "locked"); available = total - locked. Orders lock funds when accepted, release them
// when they end, and fills move them (spend from locked, credit the received asset).
//
// Invariants: (1) for every entry 0 <= locked <= total; (2) entries are never removed (a balance
// that drops to zero stays listed, as on Binance once traded).
// Not thread-safe: owned by the simulated exchange's thread. Lookups are linear in the number of
// (account, asset) entries (a handful per account); no allocation except when an asset first
// appears in an account.

#include <cstdint>
#include <vector>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/model/order.h"

namespace colibri::connector::sim {

using AccountId = std::uint32_t;

class Ledger {
 public:
  // Credits a starting balance (or a later deposit). InvalidArgument for a negative amount.
  [[nodiscard]] Result<void> deposit(AccountId account, const model::Asset& asset, Quantity amount);

  // The balance (zero when the account never held the asset).
  [[nodiscard]] model::Balance balance(AccountId account, const model::Asset& asset) const noexcept;
  [[nodiscard]] Quantity locked(AccountId account, const model::Asset& asset) const noexcept;

  // Moves `amount` (>= 0) from available to locked. Rejected (nothing changes) when the available
  // balance is smaller.
  [[nodiscard]] Result<void> lock(AccountId account, const model::Asset& asset, Quantity amount);
  // Moves `amount` from locked back to available. Requires locked >= amount (asserted).
  void unlock(AccountId account, const model::Asset& asset, Quantity amount) noexcept;
  // Pays `amount` out of locked funds: total and locked both decrease. Requires locked >= amount.
  void spend_locked(AccountId account, const model::Asset& asset, Quantity amount) noexcept;
  // Adds `amount` (>= 0) to the total (a fill's proceeds).
  void credit(AccountId account, const model::Asset& asset, Quantity amount);

  // Calls fn(const model::Balance&) for every asset of `account`, in the order assets appeared.
  template <typename Fn>
  void for_each_balance(AccountId account, Fn&& fn) const {
    for (const Entry& e : entries_) {
      if (e.account == account) fn(model::Balance{e.asset, e.total, e.total - e.locked});
    }
  }

 private:
  struct Entry {
    AccountId account;
    model::Asset asset;
    Quantity total;
    Quantity locked;
  };
  [[nodiscard]] const Entry* find(AccountId account, const model::Asset& asset) const noexcept;
  [[nodiscard]] Entry* find(AccountId account, const model::Asset& asset) noexcept;
  Entry& find_or_add(AccountId account, const model::Asset& asset);

  std::vector<Entry> entries_;
};

}  // namespace colibri::connector::sim
