#include "colibri/connector/sim/ledger.h"

#include <cassert>

namespace colibri::connector::sim {

const Ledger::Entry* Ledger::find(AccountId account, const model::Asset& asset) const noexcept {
  for (const Entry& e : entries_) {
    if (e.account == account && e.asset == asset) return &e;
  }
  return nullptr;
}

Ledger::Entry* Ledger::find(AccountId account, const model::Asset& asset) noexcept {
  for (Entry& e : entries_) {
    if (e.account == account && e.asset == asset) return &e;
  }
  return nullptr;
}

Ledger::Entry& Ledger::find_or_add(AccountId account, const model::Asset& asset) {
  if (Entry* e = find(account, asset)) return *e;
  entries_.push_back(Entry{account, asset, Quantity::zero(), Quantity::zero()});
  return entries_.back();
}

Result<void> Ledger::deposit(AccountId account, const model::Asset& asset, Quantity amount) {
  if (amount.is_negative()) return fail(ErrorCode::InvalidArgument, "negative deposit {} {}", amount, asset);
  Entry& entry = find_or_add(account, asset);
  auto total = entry.total.checked_add(amount);
  if (!total) return fail(std::move(total.error()));
  entry.total = *total;
  return {};
}

model::Balance Ledger::balance(AccountId account, const model::Asset& asset) const noexcept {
  const Entry* e = find(account, asset);
  if (e == nullptr) return model::Balance{asset, Quantity::zero(), Quantity::zero()};
  return model::Balance{asset, e->total, e->total - e->locked};
}

Quantity Ledger::locked(AccountId account, const model::Asset& asset) const noexcept {
  const Entry* e = find(account, asset);
  return e == nullptr ? Quantity::zero() : e->locked;
}

Result<void> Ledger::lock(AccountId account, const model::Asset& asset, Quantity amount) {
  if (amount.is_negative()) return fail(ErrorCode::InvalidArgument, "negative lock {} {}", amount, asset);
  if (amount.is_zero()) return {};
  Entry* found = find(account, asset);
  const Quantity available = found == nullptr ? Quantity::zero() : found->total - found->locked;
  if (available < amount) {
    return fail(ErrorCode::Rejected, "insufficient {}: available {}, needed {}", asset, available, amount);
  }
  found->locked += amount;
  return {};
}

void Ledger::unlock(AccountId account, const model::Asset& asset, Quantity amount) noexcept {
  if (amount.is_zero()) return;
  Entry* e = find(account, asset);
  assert(e != nullptr && e->locked >= amount);
  if (e != nullptr) e->locked -= amount;
}

void Ledger::spend_locked(AccountId account, const model::Asset& asset, Quantity amount) noexcept {
  if (amount.is_zero()) return;
  Entry* e = find(account, asset);
  assert(e != nullptr && e->locked >= amount && e->total >= amount);
  if (e != nullptr) {
    e->locked -= amount;
    e->total -= amount;
  }
}

void Ledger::credit(AccountId account, const model::Asset& asset, Quantity amount) {
  assert(!amount.is_negative());
  find_or_add(account, asset).total += amount;
}

}  // namespace colibri::connector::sim
