#include "colibri/core/log.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include <spdlog/async_logger.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "colibri/core/result.h"

namespace colibri::logging {
namespace {

// UTC, millisecond precision, e.g. "2024-08-09 00:00:00.123 warning order 42 rejected".
constexpr const char* kPattern = "%Y-%m-%d %H:%M:%S.%e %l %v";

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return spdlog::level::debug;
    case LogLevel::Info:
      return spdlog::level::info;
    case LogLevel::Warn:
      return spdlog::level::warn;
    case LogLevel::Error:
      return spdlog::level::err;
    case LogLevel::Off:
      return spdlog::level::off;
  }
  return spdlog::level::off;
}

LogLevel from_spdlog(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LogLevel::Debug;
    case spdlog::level::info:
      return LogLevel::Info;
    case spdlog::level::warn:
      return LogLevel::Warn;
    case spdlog::level::err:
    case spdlog::level::critical:
      return LogLevel::Error;
    default:
      return LogLevel::Off;
  }
}

// The strings to redact. Written rarely (start-up, key store), read by the background writer.
// Invariants: no entry is empty or duplicated; entries are sorted longest first, so a secret that
// contains another is replaced whole.
class SecretRegistry {
 public:
  void add(std::string_view secret) {
    if (secret.empty()) return;
    const std::lock_guard lock(mutex_);
    if (std::ranges::find(secrets_, secret) != secrets_.end()) return;
    const auto at = std::ranges::find_if(
        secrets_, [&](const std::string& known) { return known.size() < secret.size(); });
    secrets_.emplace(at, secret);
  }

  // Writes `text` to `out` with every secret replaced by the mask. Reuses out's storage.
  void redact(std::string_view text, std::string& out) const {
    out.assign(text);
    const std::lock_guard lock(mutex_);
    for (const std::string& secret : secrets_) {
      for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
        out.replace(at, secret.size(), Secret::kMask);
        at += Secret::kMask.size();
      }
    }
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> secrets_;
};

SecretRegistry& secret_registry() {
  static SecretRegistry registry;
  return registry;
}

// The one redaction step: every output sits behind this sink, so no output sees an unredacted
// message. Runs on the background thread.
class RedactingSink final : public spdlog::sinks::dist_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    secret_registry().redact(std::string_view(message.payload.data(), message.payload.size()), redacted_);
    spdlog::details::log_msg redacted_message(message);
    redacted_message.payload = spdlog::string_view_t(redacted_.data(), redacted_.size());
    spdlog::sinks::dist_sink<std::mutex>::sink_it_(redacted_message);
  }

 private:
  std::string redacted_;
};

// Hands formatted lines to Options::forward. The enclosing RedactingSink serialises calls.
class ForwardingSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit ForwardingSink(std::function<void(LogLevel, std::string_view)> forward)
      : forward_(std::move(forward)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    line_.clear();
    formatter_->format(message, line_);
    std::string_view line(line_.data(), line_.size());
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    forward_(from_spdlog(message.level), line);
  }
  void flush_() override {}

 private:
  std::function<void(LogLevel, std::string_view)> forward_;
  spdlog::memory_buf_t line_;
};

// Invariants: logger is set iff pool and sink are; `active_logger` points at logger (or is null
// when there is none); only init() and shutdown() change them, under backend_mutex.
struct Backend {
  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<RedactingSink> sink;
  std::shared_ptr<spdlog::async_logger> logger;
  std::size_t dropped_before_shutdown = 0;
};

std::mutex backend_mutex;
Backend backend;
std::atomic<spdlog::async_logger*> active_logger{nullptr};

void shutdown_locked() {
  detail::threshold.store(LogLevel::Off, std::memory_order_relaxed);
  active_logger.store(nullptr, std::memory_order_release);
  if (!backend.logger) return;
  backend.dropped_before_shutdown = backend.pool->overrun_counter();
  backend.logger.reset();
  // The pool's destructor queues a stop request behind everything already queued and joins the
  // writer thread, so every queued message is written first.
  backend.pool.reset();
  backend.sink->flush();
  backend.sink.reset();  // the last owner: closes the file
}

}  // namespace

void init(const Options& options) {
  if (options.queue_capacity == 0) {
    throw StartupError(Error(ErrorCode::InvalidArgument, "log queue capacity must be at least 1"));
  }
  const std::lock_guard lock(backend_mutex);
  shutdown_locked();

  auto sink = std::make_shared<RedactingSink>();
  if (options.to_stderr) sink->add_sink(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (!options.file.empty()) {
    try {
      sink->add_sink(std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file.string()));
    } catch (const spdlog::spdlog_ex& error) {
      throw StartupError(Error(
          ErrorCode::Io, fmt::format("cannot open log file {}: {}", options.file.string(), error.what())));
    }
  }
  if (options.forward) sink->add_sink(std::make_shared<ForwardingSink>(options.forward));

  auto pool = std::make_shared<spdlog::details::thread_pool>(options.queue_capacity, 1);
  auto logger = std::make_shared<spdlog::async_logger>("colibri", sink, pool,
                                                       spdlog::async_overflow_policy::overrun_oldest);
  logger->set_formatter(
      std::make_unique<spdlog::pattern_formatter>(kPattern, spdlog::pattern_time_type::utc));
  logger->set_level(spdlog::level::debug);  // filtering happens before formatting, in log.h

  backend.pool = std::move(pool);
  backend.sink = std::move(sink);
  backend.logger = std::move(logger);
  backend.dropped_before_shutdown = 0;
  active_logger.store(backend.logger.get(), std::memory_order_release);
  detail::threshold.store(options.level, std::memory_order_relaxed);
}

void shutdown() {
  const std::lock_guard lock(backend_mutex);
  shutdown_locked();
}

void flush() {
  if (spdlog::async_logger* logger = active_logger.load(std::memory_order_acquire)) logger->flush();
}

void set_level(LogLevel level) { detail::threshold.store(level, std::memory_order_relaxed); }

LogLevel level() noexcept { return detail::threshold.load(std::memory_order_relaxed); }

std::size_t dropped_messages() {
  const std::lock_guard lock(backend_mutex);
  return backend.pool ? backend.pool->overrun_counter() : backend.dropped_before_shutdown;
}

void register_secret(std::string_view secret) { secret_registry().add(secret); }

std::string redact(std::string_view text) {
  std::string out;
  secret_registry().redact(text, out);
  return out;
}

namespace detail {

void write(LogLevel level, std::string_view message) {
  if (spdlog::async_logger* logger = active_logger.load(std::memory_order_acquire)) {
    logger->log(to_spdlog(level), spdlog::string_view_t(message.data(), message.size()));
  }
}

}  // namespace detail
}  // namespace colibri::logging
