// Stop strings over streamed text (edge_stop_filter_t): what comes out is exactly the text
// before the first stop string however the text is split, no byte of a stop string is ever
// handed out, and a detokenizer's pieces through a filter cut a real decode at the stop.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "edge/tokenizer.h"

namespace {

struct Filter {
  explicit Filter(const std::vector<const char *> &stops) {
    edge_status_t status = edge_stop_filter_create(stops.data(), static_cast<uint32_t>(stops.size()), &filter);
    EXPECT_EQ(status, nullptr) << edge_status_message(status);
  }
  ~Filter() { edge_stop_filter_release(filter); }
  // The text one push hands out.
  std::string push(const std::string &text) {
    const char *out = nullptr;
    size_t size = 0;
    edge_status_t status = edge_stop_filter_push(filter, text.data(), text.size(), &out, &size, &stopped);
    EXPECT_EQ(status, nullptr) << edge_status_message(status);
    return std::string(out, size);
  }
  std::string flush() {
    const char *out = nullptr;
    size_t size = 0;
    edge_stop_filter_flush(filter, &out, &size);
    return std::string(out, size);
  }
  edge_stop_filter_t *filter = nullptr;
  int stopped = 0;
};

TEST(StopFilterTest, AStopStringSplitOverPushesIsHeldBackThenCut) {
  Filter f({"User:"});
  EXPECT_EQ(f.push("Hello Us"), "Hello ") << "\"Us\" may begin the stop string";
  EXPECT_FALSE(f.stopped);
  EXPECT_EQ(f.push("er"), "");
  EXPECT_EQ(f.push(": more"), "");
  EXPECT_TRUE(f.stopped);
  EXPECT_EQ(f.push("after"), "") << "nothing after a stop";
  EXPECT_TRUE(f.stopped);
  EXPECT_EQ(f.flush(), "");
}

TEST(StopFilterTest, AFalseStartIsHandedOutOnceItCannotMatch) {
  Filter f({"</answer>", "\n\n"});
  EXPECT_EQ(f.push("a </ans"), "a ");
  EXPECT_EQ(f.push("x\n"), "</ansx") << "the newline may begin \"\\n\\n\"";
  EXPECT_EQ(f.push("b"), "\nb");
  EXPECT_EQ(f.push("c</answer"), "c");
  EXPECT_EQ(f.flush(), "</answer") << "the stream ended before the stop string completed";
  EXPECT_FALSE(f.stopped);
}

TEST(StopFilterTest, TheEarliestStopWinsAndTextBeforeItInOnePushComesOut) {
  Filter f({"world", "lo w"});
  EXPECT_EQ(f.push("hello world"), "hel");
  EXPECT_TRUE(f.stopped);
}

TEST(StopFilterTest, NoStopStringsPassTextOn) {
  Filter f({});
  EXPECT_EQ(f.push("anything"), "anything");
  EXPECT_EQ(f.flush(), "");
}

TEST(StopFilterTest, BadStopStringsAreRefused) {
  edge_stop_filter_t *filter = reinterpret_cast<edge_stop_filter_t *>(1);
  const char *empty[] = {"ok", ""};
  edge_status_t status = edge_stop_filter_create(empty, 2, &filter);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(edge_status_message(status), "stop string 1 is empty");
  EXPECT_EQ(filter, nullptr);
  edge_status_free(status);
  const char *broken[] = {"\xc3"};
  status = edge_stop_filter_create(broken, 1, &filter);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(edge_status_message(status), "stop string 0 is not well-formed UTF-8");
  edge_status_free(status);
  status = edge_stop_filter_create(nullptr, 1, &filter);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  edge_status_free(status);
}

// Random texts of ASCII and multi-byte characters, split at random places (whole
// characters, as a detokenizer hands them out): the pieces are the text up to the first stop
// string, and no piece ever holds a byte of it.
TEST(StopFilterTest, AnySplitGivesTheTextBeforeTheFirstStop) {
  const std::vector<std::string> alphabet = {"a", "b", " ", "\n", "é", "。", "🙂"};
  const std::vector<const char *> stops = {"b。", "\n\n", "é🙂a", "aaaa"};
  std::mt19937 random(1234);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<std::string> chars;
    for (int i = random() % 24; i > 0; --i) chars.push_back(alphabet[random() % alphabet.size()]);
    std::string text;
    for (const std::string &c : chars) text += c;
    size_t cut = std::string::npos;
    for (const char *stop : stops) cut = std::min(cut, text.find(stop));
    const std::string expected = text.substr(0, cut);

    Filter f(stops);
    std::string out;
    for (size_t i = 0; i < chars.size();) {
      std::string piece;
      for (size_t n = 1 + random() % 3; n > 0 && i < chars.size(); --n) piece += chars[i++];
      out += f.push(piece);
      ASSERT_LE(out.size(), expected.size()) << "trial " << trial;
      ASSERT_EQ(out, expected.substr(0, out.size())) << "trial " << trial;
    }
    if (!f.stopped) out += f.flush();
    EXPECT_EQ(out, expected) << "trial " << trial << ": " << text;
    EXPECT_EQ(f.stopped != 0, cut != std::string::npos) << "trial " << trial;
  }
}

// A tokenizer's ids through a detokenizer and a filter: the text handed out is the decode
// of all the ids cut before the stop string, which spans several tokens.
TEST(StopFilterTest, DetokenizedTextStopsWhereTheDecodeHasTheStopString) {
  edge_tokenizer_t *t = nullptr;
  ASSERT_EQ(edge_tokenizer_open(EDGEC_TOKENIZER_DATA "/sentencepiece-small/tokenizer.json", &t), nullptr);
  const std::string text = "You should have received a copy of the license";
  int32_t *ids = nullptr;
  uint32_t count = 0;
  ASSERT_EQ(edge_tokenizer_encode(t, text.data(), text.size(), 0, &ids, &count), nullptr);
  edge_detokenizer_t *d = nullptr;
  ASSERT_EQ(edge_detokenizer_create(t, 0, &d), nullptr);
  Filter f({"ved a c"});
  std::string out;
  uint32_t pushed = 0;
  for (; pushed < count && !f.stopped; ++pushed) {
    const char *piece = nullptr;
    size_t size = 0;
    ASSERT_EQ(edge_detokenizer_push(d, ids[pushed], &piece, &size), nullptr);
    out += f.push(std::string(piece, size));
  }
  EXPECT_TRUE(f.stopped);
  EXPECT_EQ(out, "You should have recei");
  EXPECT_LT(pushed, count) << "stopped before the last token";
  free(ids);
  edge_detokenizer_release(d);
  edge_tokenizer_release(t);
}

} // namespace
