#include "colibri/connector/sim/latency_model.h"

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

namespace colibri::connector::sim {
namespace {

Timestamp t(std::int64_t ns) { return Timestamp::from_ns(ns); }

TEST(ConstantLatency, ReturnsConfiguredLatencies) {
  const ConstantLatency latency(5ms, 7ms);
  EXPECT_EQ(latency.entry(t(123)), Duration(5ms));
  EXPECT_EQ(latency.response(t(456)), Duration(7ms));
  EXPECT_EQ(ConstantLatency(-1ms, 2ms).entry(t(0)), Duration(0));
}

TEST(RecordedLatency, InterpolatesBetweenRecordedRequests) {
  // Row 1: entry 10, response 20. Row 2 (100 later): entry 30, response 60.
  auto latency = RecordedLatency::parse(
      "request_ns,exchange_ns,response_ns\n"
      "# comment\n"
      "1000,1010,1030\n"
      "\n"
      "1100,1130,1190\r\n",
      "mem");
  ASSERT_TRUE(latency) << latency.error().describe();
  EXPECT_EQ(latency->size(), 2u);
  EXPECT_EQ(latency->entry(t(1000)), Duration(10));
  EXPECT_EQ(latency->entry(t(1050)), Duration(20));  // halfway: 10 + (30 - 10) / 2
  EXPECT_EQ(latency->entry(t(1075)), Duration(25));
  EXPECT_EQ(latency->entry(t(900)), Duration(10));   // before the first row
  EXPECT_EQ(latency->entry(t(5000)), Duration(30));  // after the last row
  // Responses interpolate over exchange times 1010 .. 1130: 20 .. 60.
  EXPECT_EQ(latency->response(t(1010)), Duration(20));
  EXPECT_EQ(latency->response(t(1070)), Duration(40));
  EXPECT_EQ(latency->response(t(1130)), Duration(60));
  EXPECT_EQ(latency->response(t(0)), Duration(20));
}

TEST(RecordedLatency, InterpolationRoundsDown) {
  auto latency = RecordedLatency::parse("0,10,10\n3,14,14\n", "mem");  // entry 10 .. 11 over 3 ns
  ASSERT_TRUE(latency);
  EXPECT_EQ(latency->entry(t(1)), Duration(10));  // 10 + 1/3
  EXPECT_EQ(latency->entry(t(2)), Duration(10));  // 10 + 2/3
}

TEST(RecordedLatency, BadInputNamesFileAndLine) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"1,2,3\n1,2\n", "mem:2: expected 3 fields"},
      {"1,2,3\n4,x,6\n", "mem:2: \"x\" is not an integer"},
      {"1,2,3\n\n5,4,6\n", "mem:3: times must satisfy"},
      {"1,2,3\n1,2,3\n", "mem:2: request times must increase"},
      {"1,5,6\n2,4,7\n", "mem:2: exchange times must not decrease"},
      {"1,2,3,4\n", "mem:1: expected 3 fields"},
      {"1,2,3\nheader\n", "mem:2: unexpected header"},
      {"# only comments\n", "mem: no latency rows"},
  };
  for (const Case& c : cases) {
    auto latency = RecordedLatency::parse(c.text, "mem");
    ASSERT_FALSE(latency) << c.text;
    EXPECT_NE(latency.error().message().find(c.expected), std::string::npos)
        << c.text << " -> " << latency.error().message();
  }
}

TEST(RecordedLatency, LoadsAFileAndReportsMissingFiles) {
  const std::string path = ::testing::TempDir() + "colibri_latency_test.csv";
  {
    std::ofstream out(path);
    out << "request,exchange,response\n10,15,25\nbad\n";
  }
  auto bad = RecordedLatency::load(path);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find(path + ":3"), std::string::npos) << bad.error().message();
  {
    std::ofstream out(path);
    out << "10,15,25\n";
  }
  auto good = RecordedLatency::load(path);
  ASSERT_TRUE(good) << good.error().describe();
  EXPECT_EQ(good->entry(t(0)), Duration(5));
  EXPECT_EQ(good->response(t(0)), Duration(10));
  std::remove(path.c_str());
  auto missing = RecordedLatency::load(path);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::Io);
}

}  // namespace
}  // namespace colibri::connector::sim
