#pragma once
// Logging that never blocks the event-loop thread (DESIGN.md decision 2) and never writes a secret
// (reliability promise 10).
//
//   logging::Options options;
//   options.file = "logs/bot.log";
//   logging::init(options);
//   log_info("order {} placed at {}", client_order_id, price);
//   logging::shutdown();  // at exit: writes out everything queued
//
// The calling thread only formats the message (fmt, checked at compile time) and queues it; a
// background thread redacts it, adds time and level, and writes it to stderr and/or a file. When
// the queue is full the oldest queued message is dropped (and counted) rather than making the caller
// wait. Messages below the level are not even formatted. Keep logging off hot paths anyway.
//
// Secrets: every string given to register_secret() is replaced by "***" in every message before
// anything writes it (one redaction step in front of all outputs). Values of type Secret format as
// "***" to begin with.
//
// Thread-safety: the log_* functions, register_secret(), redact(), flush() and dropped_messages()
// may be called from any thread. init() and shutdown() must not race with logging: call them at
// start-up and after the threads that log have stopped. Before init() and after shutdown(),
// messages are dropped (library code never writes to stdout or stderr on its own).
//
// Note: log time stamps are wall time read by the logging library, not Scheduler time.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "colibri/core/secret.h"

namespace colibri {

enum class LogLevel : std::uint8_t { Debug, Info, Warn, Error, Off };

namespace logging {

struct Options {
  LogLevel level = LogLevel::Info;
  bool to_stderr = true;
  // Appended to when not empty (missing folders are created).
  std::filesystem::path file;
  // Messages queued for the background thread before the oldest is dropped. Every slot is
  // allocated and written up front (spdlog's async_msg, about 400 bytes with its inline text
  // buffer): 8192 slots were 3.3 MB of the live bot's resident memory (budget: 16 MB in all).
  // 256 slots (100 KiB) hold the largest burst the bot writes — a requote of 10 order levels a
  // side is 40 orders at a few lines each — while the writer thread drains a line in
  // microseconds; a longer burst drops its oldest lines and counts them (dropped_messages()).
  std::size_t queue_capacity = 256;
  // Also hands each written line (redacted, formatted, no newline) to this function, on the
  // background thread: for remote control log topics. It may be slow; it never slows the caller.
  std::function<void(LogLevel level, std::string_view line)> forward;
};

// Starts the background writer (replacing a previous init). Start-up boundary: throws StartupError
// (Io) when the file cannot be opened, (InvalidArgument) when queue_capacity is 0.
void init(const Options& options);

// Writes out every queued message, flushes the outputs and stops the background thread. Waits for
// a slow output (`forward`) to finish. Idempotent.
void shutdown();

// Asks the background thread to flush its outputs after the messages queued so far. Returns at once.
void flush();

void set_level(LogLevel level);
[[nodiscard]] LogLevel level() noexcept;

// Messages dropped because the queue was full, since the latest init().
[[nodiscard]] std::size_t dropped_messages();

// Adds a string to redact from every message from now on (empty strings are ignored). Registering a
// value twice is harmless. Registered secrets stay registered for the life of the process.
void register_secret(std::string_view secret);
inline void register_secret(const Secret& secret) { register_secret(secret.reveal()); }

// `text` with every registered secret replaced by "***": for reports and error messages that do
// not go through the logger.
[[nodiscard]] std::string redact(std::string_view text);

namespace detail {

inline std::atomic<LogLevel> threshold{LogLevel::Off};

// Queues one formatted message (non-blocking).
void write(LogLevel level, std::string_view message);

template <typename... Args>
void format_and_write(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (level < threshold.load(std::memory_order_relaxed)) return;
  fmt::memory_buffer message;  // on the stack up to 500 bytes
  fmt::format_to(std::back_inserter(message), format, std::forward<Args>(args)...);
  write(level, std::string_view(message.data(), message.size()));
}

}  // namespace detail
}  // namespace logging

template <typename... Args>
void log_debug(fmt::format_string<Args...> format, Args&&... args) {
  logging::detail::format_and_write(LogLevel::Debug, format, std::forward<Args>(args)...);
}

template <typename... Args>
void log_info(fmt::format_string<Args...> format, Args&&... args) {
  logging::detail::format_and_write(LogLevel::Info, format, std::forward<Args>(args)...);
}

template <typename... Args>
void log_warn(fmt::format_string<Args...> format, Args&&... args) {
  logging::detail::format_and_write(LogLevel::Warn, format, std::forward<Args>(args)...);
}

template <typename... Args>
void log_error(fmt::format_string<Args...> format, Args&&... args) {
  logging::detail::format_and_write(LogLevel::Error, format, std::forward<Args>(args)...);
}

}  // namespace colibri
