// Real sockets on 127.0.0.1, real TLS: every test bounds its loop with run_until (5 s at most).

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "colibri/core/live_scheduler.h"
#include "colibri/net/http_client.h"
#include "colibri/net/http_server.h"
#include "colibri/net/tls.h"
#include "colibri/testing/live_loop.h"

namespace colibri::net {
namespace {

// Runs the loop until `done()` or `limit` of wall time; returns done().
using testing::run_until;

// Echoes requests as "METHOD TARGET BODY"; "/later" answers after 50 ms, "/slow" after 200 ms,
// "/drop" never answers;
// WebSockets echo every frame back prefixed with "echo:", and "/ws/refuse" is refused.
class EchoHandler final : public ServerHandler {
 public:
  explicit EchoHandler(LiveScheduler& scheduler) : scheduler_(scheduler) {}
  void on_http(HttpRequest request, HttpReply reply) override {
    ++requests;
    HttpResponse response{
        200, {HttpHeader{"X-Echo", "1"}}, request.method + " " + request.target + " " + request.body};
    if (request.path() == "/drop") {
      held_.push_back(std::move(reply));
    } else if (request.path() == "/later" || request.path() == "/slow") {
      scheduler_.schedule_after(
          std::chrono::milliseconds(request.path() == "/later" ? 50 : 200),
          [reply = std::move(reply), response](Timestamp) mutable { reply.send(response); });
    } else {
      reply.send(std::move(response));
    }
  }
  bool accept_websocket(const HttpRequest& upgrade) override { return upgrade.path() != "/ws/refuse"; }
  void on_websocket_open(const HttpRequest& upgrade,
                         std::shared_ptr<WebSocketConnection> connection) override {
    last_upgrade_target = upgrade.target;
    WebSocketConnection* raw = connection.get();
    connection->set_handlers({[raw](std::string_view text) {
                                if (text == "close") {
                                  raw->close();
                                } else {
                                  raw->send("echo:" + std::string(text));
                                }
                              },
                              [this](const Error&) { ++websockets_closed; }});
    connections_.push_back(std::move(connection));
  }
  int requests = 0;
  int websockets_closed = 0;
  std::string last_upgrade_target;

 private:
  LiveScheduler& scheduler_;
  std::vector<HttpReply> held_;
  std::vector<std::shared_ptr<WebSocketConnection>> connections_;
};

class TempFile {
 public:
  explicit TempFile(std::string_view name)
      : path_(std::filesystem::temp_directory_path() /
              (std::string(name) + "-" + std::to_string(::getpid()) + ".pem")) {}
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct Fixture {
  explicit Fixture(bool tls) : handler(scheduler) {
    ServerOptions options;
    if (tls) {
      auto certs = make_local_certificates();
      EXPECT_TRUE(certs.has_value());
      EXPECT_TRUE(write_text_file(ca.path(), certs->ca_certificate_pem).has_value());
      options.tls = std::move(*certs);
    }
    auto started = HttpServer::start(scheduler, std::move(options), handler);
    EXPECT_TRUE(started.has_value()) << started.error().describe();
    server = std::move(*started);
    endpoint.port = server->port();
    endpoint.tls = tls;
    endpoint.ca_file = tls ? ca.path().string() : "";
    endpoint.connect_timeout = std::chrono::seconds(2);
    endpoint.request_timeout = std::chrono::seconds(2);
  }
  LiveScheduler scheduler;
  EchoHandler handler;
  TempFile ca{"colibri-net-test-ca"};
  std::unique_ptr<HttpServer> server;
  Endpoint endpoint;
};

std::optional<Result<HttpResponse>> fetch(Fixture& f, HttpClient& client, HttpRequest request) {
  std::optional<Result<HttpResponse>> result;
  client.request(std::move(request), [&](Result<HttpResponse> r) { result = std::move(r); });
  run_until(f.scheduler, [&] { return result.has_value(); });
  return result;
}

TEST(TlsCertificates, MakesACaAndAServerCertificate) {
  auto certs = make_local_certificates();
  ASSERT_TRUE(certs.has_value()) << certs.error().describe();
  EXPECT_NE(certs->ca_certificate_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(certs->server_certificate_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(certs->server_private_key_pem.reveal().find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(fmt::format("{}", certs->server_private_key_pem), "***");
}

TEST(HttpServer, AnswersPlainHttpRequests) {
  Fixture f(false);
  HttpClient client(f.scheduler, f.endpoint);
  auto result = fetch(f, client, {"POST", "/api/v3/order?symbol=BTCUSDT", {}, "side=BUY"});
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->has_value()) << result->error().describe();
  EXPECT_EQ((*result)->status, 200);
  EXPECT_EQ((*result)->body, "POST /api/v3/order?symbol=BTCUSDT side=BUY");
  ASSERT_NE((*result)->header("x-echo"), nullptr);
}

TEST(HttpServer, AnswersHttpsRequestsOnOneKeptAliveConnection) {
  Fixture f(true);
  HttpClient client(f.scheduler, f.endpoint);
  for (int i = 0; i < 3; ++i) {
    auto result = fetch(f, client, {"GET", "/later?i=" + std::to_string(i), {}, ""});
    ASSERT_TRUE(result.has_value());
    ASSERT_TRUE(result->has_value()) << result->error().describe();
    EXPECT_EQ((*result)->body, "GET /later?i=" + std::to_string(i) + " ");
  }
  EXPECT_EQ(client.stats().connections_opened, 1u);
  EXPECT_EQ(f.server->stats().connections, 1u);
  EXPECT_EQ(f.server->stats().requests, 3u);
}

TEST(HttpServer, QueuedRequestsAreAnsweredInOrder) {
  Fixture f(false);
  HttpClient client(f.scheduler, f.endpoint);
  std::vector<std::string> bodies;
  for (int i = 0; i < 5; ++i) {
    client.request({"GET", "/q" + std::to_string(i), {}, ""},
                   [&](Result<HttpResponse> r) { bodies.push_back(r ? r->body : r.error().describe()); });
  }
  ASSERT_TRUE(run_until(f.scheduler, [&] { return bodies.size() == 5; }));
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(bodies[static_cast<std::size_t>(i)], "GET /q" + std::to_string(i) + " ");
  EXPECT_EQ(client.stats().connections_opened, 1u);
}

TEST(HttpClient, AReplyThatNeverComesIsAmbiguousAfterTheTimeout) {
  Fixture f(false);
  f.endpoint.request_timeout = std::chrono::milliseconds(200);
  HttpClient client(f.scheduler, f.endpoint);
  auto result = fetch(f, client, {"POST", "/drop", {}, ""});
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->has_value());
  EXPECT_EQ(result->error().code(), ErrorCode::Ambiguous);
  EXPECT_NE(result->error().message().find("timed out"), std::string::npos) << result->error().message();
  // The client reconnects for the next request.
  auto next = fetch(f, client, {"GET", "/ping", {}, ""});
  ASSERT_TRUE(next.has_value() && next->has_value());
  EXPECT_EQ(client.stats().connections_opened, 2u);
}

TEST(HttpClient, EachExchangeGetsItsWholeTimeout) {
  // One timer bounds the exchanges of a client; armed for an earlier one, it must not cut a later
  // one short: here it first fires 100 ms into the slow exchange, which still has 200 ms left.
  Fixture f(false);
  f.endpoint.request_timeout = std::chrono::milliseconds(300);
  HttpClient client(f.scheduler, f.endpoint);
  auto first = fetch(f, client, {"GET", "/ping", {}, ""});
  ASSERT_TRUE(first.has_value() && first->has_value());
  run_until(
      f.scheduler, [] { return false; }, std::chrono::milliseconds(200));
  auto slow = fetch(f, client, {"GET", "/slow", {}, ""});
  ASSERT_TRUE(slow.has_value());
  ASSERT_TRUE(slow->has_value()) << slow->error().describe();
  EXPECT_EQ((*slow)->body, "GET /slow ");
  EXPECT_EQ(client.stats().connections_opened, 1u);
}

TEST(HttpClient, ReconnectsWhenTheServerClosedAnIdleConnection) {
  for (const bool tls : {false, true}) {
    LiveScheduler scheduler;
    EchoHandler handler(scheduler);
    ServerOptions options;
    options.request_timeout = std::chrono::milliseconds(100);  // the server closes idle connections fast
    TempFile ca("colibri-net-test-idle-ca");
    if (tls) {
      auto certs = make_local_certificates();
      ASSERT_TRUE(certs.has_value());
      ASSERT_TRUE(write_text_file(ca.path(), certs->ca_certificate_pem).has_value());
      options.tls = std::move(*certs);
    }
    auto server = HttpServer::start(scheduler, std::move(options), handler);
    ASSERT_TRUE(server.has_value());
    Endpoint endpoint;
    endpoint.port = (*server)->port();
    endpoint.tls = tls;
    endpoint.ca_file = tls ? ca.path().string() : "";
    HttpClient client(scheduler, endpoint);
    for (int i = 0; i < 2; ++i) {
      std::optional<Result<HttpResponse>> result;
      client.request({"GET", "/idle", {}, ""}, [&](Result<HttpResponse> r) { result = std::move(r); });
      ASSERT_TRUE(run_until(scheduler, [&] { return result.has_value(); }));
      ASSERT_TRUE(result->has_value()) << "tls=" << tls << " " << result->error().describe();
      run_until(
          scheduler, [] { return false; }, std::chrono::milliseconds(300));  // the server gives up on us
    }
    EXPECT_EQ(client.stats().connections_opened, 2u) << "tls=" << tls;
  }
}

TEST(HttpClient, ConnectionRefusedIsDisconnected) {
  LiveScheduler scheduler;
  Endpoint endpoint;
  {
    EchoHandler handler(scheduler);
    auto server = HttpServer::start(scheduler, {}, handler);
    ASSERT_TRUE(server.has_value());
    endpoint.port = (*server)->port();
  }  // closed: nothing listens there now
  HttpClient client(scheduler, endpoint);
  std::optional<Result<HttpResponse>> result;
  client.request({"GET", "/", {}, ""}, [&](Result<HttpResponse> r) { result = std::move(r); });
  ASSERT_TRUE(run_until(scheduler, [&] { return result.has_value(); }));
  ASSERT_FALSE(result->has_value());
  EXPECT_EQ(result->error().code(), ErrorCode::Disconnected);
}

TEST(HttpClient, RejectsACertificateFromAnUntrustedCa) {
  Fixture f(true);
  auto other = make_local_certificates();
  ASSERT_TRUE(other.has_value());
  TempFile other_ca("colibri-net-test-other-ca");
  ASSERT_TRUE(write_text_file(other_ca.path(), other->ca_certificate_pem).has_value());
  Endpoint endpoint = f.endpoint;
  endpoint.ca_file = other_ca.path().string();
  HttpClient client(f.scheduler, endpoint);
  auto result = fetch(f, client, {"GET", "/", {}, ""});
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->has_value());
  EXPECT_EQ(result->error().code(), ErrorCode::Disconnected);
  EXPECT_NE(result->error().message().find("certificate verify failed"), std::string::npos)
      << result->error().message();
  EXPECT_EQ(f.handler.requests, 0);

  std::optional<Result<std::shared_ptr<WebSocketConnection>>> ws;
  connect_websocket(f.scheduler, endpoint, "/ws/x", [&](auto r) { ws = std::move(r); });
  ASSERT_TRUE(run_until(f.scheduler, [&] { return ws.has_value(); }));
  ASSERT_FALSE(ws->has_value());
  EXPECT_NE(ws->error().message().find("certificate verify failed"), std::string::npos)
      << ws->error().message();
}

void expect_websocket_echo(bool tls) {
  Fixture f(tls);
  std::shared_ptr<WebSocketConnection> client;
  std::vector<std::string> received;
  std::optional<Error> closed;
  connect_websocket(f.scheduler, f.endpoint, "/ws/btcusdt@trade", [&](auto r) {
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    client = *r;
    client->set_handlers(
        {[&](std::string_view text) { received.emplace_back(text); }, [&](const Error& e) { closed = e; }});
    client->send("one");
    client->send("two");
  });
  ASSERT_TRUE(run_until(f.scheduler, [&] { return received.size() == 2; }));
  EXPECT_EQ(received[0], "echo:one");
  EXPECT_EQ(received[1], "echo:two");
  EXPECT_EQ(f.handler.last_upgrade_target, "/ws/btcusdt@trade");
  client->send("close");  // the server closes
  ASSERT_TRUE(run_until(f.scheduler, [&] { return closed.has_value(); }));
  EXPECT_EQ(closed->code(), ErrorCode::Disconnected);
  EXPECT_FALSE(client->is_open());
  ASSERT_TRUE(run_until(f.scheduler, [&] { return f.handler.websockets_closed == 1; }));
}

TEST(WebSocket, EchoesOverPlainTcp) { expect_websocket_echo(false); }

TEST(WebSocket, EchoesOverTls) { expect_websocket_echo(true); }

TEST(WebSocket, ARefusedTargetFailsTheHandshake) {
  Fixture f(false);
  std::optional<Result<std::shared_ptr<WebSocketConnection>>> ws;
  connect_websocket(f.scheduler, f.endpoint, "/ws/refuse", [&](auto r) { ws = std::move(r); });
  ASSERT_TRUE(run_until(f.scheduler, [&] { return ws.has_value(); }));
  EXPECT_FALSE(ws->has_value());
}

TEST(WebSocket, ServerStopClosesClientConnections) {
  Fixture f(true);
  std::shared_ptr<WebSocketConnection> client;
  std::optional<Error> closed;
  connect_websocket(f.scheduler, f.endpoint, "/ws/a", [&](auto r) {
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    client = *r;
    client->set_handlers({[](std::string_view) {}, [&](const Error& e) { closed = e; }});
  });
  ASSERT_TRUE(run_until(f.scheduler, [&] { return client != nullptr && f.server->stats().websockets == 1; }));
  f.server->stop();
  ASSERT_TRUE(run_until(f.scheduler, [&] { return closed.has_value(); }));
  EXPECT_EQ(f.handler.websockets_closed, 0);  // no handler runs after stop()
}

TEST(WebSocket, AbortEndsTheConnectionAndTheServerHearsIt) {
  Fixture f(false);
  std::shared_ptr<WebSocketConnection> client;
  std::optional<Error> closed;
  connect_websocket(f.scheduler, f.endpoint, "/ws/a", [&](auto r) {
    ASSERT_TRUE(r.has_value());
    client = *r;
    client->set_handlers({[](std::string_view) {}, [&](const Error& e) { closed = e; }});
  });
  ASSERT_TRUE(run_until(f.scheduler, [&] { return client != nullptr && f.server->stats().websockets == 1; }));
  client->abort();
  ASSERT_TRUE(closed.has_value());
  ASSERT_TRUE(run_until(f.scheduler, [&] { return f.handler.websockets_closed == 1; }));
}

TEST(HttpRequest, DecodesQueryParameters) {
  std::vector<std::pair<std::string, std::string>> params;
  for_each_param("symbol=BTC%2FUSDT&a=1+2&flag&&x=%zz",
                 [&](std::string k, std::string v) { params.emplace_back(std::move(k), std::move(v)); });
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0], (std::pair<std::string, std::string>{"symbol", "BTC/USDT"}));
  EXPECT_EQ(params[1].second, "1 2");
  EXPECT_EQ(params[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(params[3].second, "%zz");
  HttpRequest request{"GET", "/api/v3/depth?symbol=BTCUSDT", {{"X-MBX-APIKEY", "k"}}, ""};
  EXPECT_EQ(request.path(), "/api/v3/depth");
  EXPECT_EQ(request.query(), "symbol=BTCUSDT");
  ASSERT_NE(request.header("x-mbx-apikey"), nullptr);
}

}  // namespace
}  // namespace colibri::net
