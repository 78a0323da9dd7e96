// HttpReply tells its sink exactly once what became of the request, with no transport around it.

#include "colibri/net/http/server_handler.h"

#include <gtest/gtest.h>

namespace colibri::net {
namespace {

struct RecordingSink final : ReplySink {
  void finish(std::optional<HttpResponse> response) override {
    ++calls;
    last = std::move(response);
  }
  int calls = 0;
  std::optional<HttpResponse> last;
};

TEST(HttpReply, SendHandsTheAnswerToTheSinkOnce) {
  auto sink = std::make_shared<RecordingSink>();
  HttpReply reply(sink);
  EXPECT_TRUE(reply.pending());
  reply.send(HttpResponse{201, {}, "{}"});
  EXPECT_FALSE(reply.pending());
  reply.send(HttpResponse{500, {}, "late"});
  reply.drop();
  ASSERT_EQ(sink->calls, 1);
  ASSERT_TRUE(sink->last.has_value());
  EXPECT_EQ(sink->last->status, 201);
}

TEST(HttpReply, DestroyedUnsentMeansNoAnswer) {
  auto sink = std::make_shared<RecordingSink>();
  { HttpReply reply(sink); }
  EXPECT_EQ(sink->calls, 1);
  EXPECT_FALSE(sink->last.has_value());
}

TEST(HttpReply, MovingKeepsOneOwnerAndAssignmentDropsTheReplacedOne) {
  auto first = std::make_shared<RecordingSink>();
  auto second = std::make_shared<RecordingSink>();
  HttpReply a(first);
  HttpReply b(std::move(a));
  EXPECT_EQ(first->calls, 0);
  HttpReply c(second);
  c = std::move(b);  // the request `second` answered nothing: it is dropped
  EXPECT_EQ(second->calls, 1);
  EXPECT_FALSE(second->last.has_value());
  c.send(HttpResponse{});
  EXPECT_EQ(first->calls, 1);
  EXPECT_TRUE(first->last.has_value());
}

}  // namespace
}  // namespace colibri::net
