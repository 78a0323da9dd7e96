#include "colibri/core/json_text.h"

#include <string>

#include <gtest/gtest.h>

namespace colibri {
namespace {

TEST(JsonString, QuotesPlainTextAsItIs) {
  EXPECT_EQ(json_string(""), R"("")");
  EXPECT_EQ(json_string("BTCUSDT"), R"("BTCUSDT")");
  EXPECT_EQ(json_string("a b/c~\x7f"), "\"a b/c~\x7f\"");  // '/' and DEL need no escape
}

TEST(JsonString, EscapesQuotesBackslashesAndControlBytes) {
  EXPECT_EQ(json_string(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(json_string(R"(C:\dir\)"), R"("C:\\dir\\")");
  EXPECT_EQ(json_string("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(json_string(std::string("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(json_string("\x1b[0m"), R"("\u001b[0m")");
}

TEST(JsonString, WellFormedUtf8PassesThrough) {
  EXPECT_EQ(json_string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  EXPECT_EQ(json_string("p\xc3\xa9ng \"x\""), "\"p\xc3\xa9ng \\\"x\\\"\"");
  EXPECT_EQ(json_string("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"") << "U+10FFFF, the last code point";
}

TEST(JsonString, InvalidUtf8BecomesTheReplacementCharacter) {
  EXPECT_EQ(json_string("a\xe9z"), R"("a\ufffdz")") << "Latin-1, not UTF-8";
  EXPECT_EQ(json_string("\x80"), R"("\ufffd")") << "a stray continuation byte";
  EXPECT_EQ(json_string("\xc0\xaf"), R"("\ufffd\ufffd")") << "overlong";
  EXPECT_EQ(json_string("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")") << "surrogate";
  EXPECT_EQ(json_string("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")") << "past U+10FFFF";
  EXPECT_EQ(json_string("\xe2\x82"), R"("\ufffd\ufffd")") << "cut short";
  EXPECT_EQ(json_string("\xff\n"), R"("\ufffd\n")");
}

TEST(JsonString, AppendKeepsWhatIsAlreadyThere) {
  std::string out = R"({"msg":)";
  append_json_string(out, "a\"b");
  out += '}';
  EXPECT_EQ(out, R"({"msg":"a\"b"})");
}

}  // namespace
}  // namespace colibri
