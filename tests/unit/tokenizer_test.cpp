// tokenizer.json BPE: SentencePiece-style ids equal sentencepiece's own (reference ids
// from Debian's python3-sentencepiece, test-suite/tokenizer/gen_sentencepiece.py), and a
// hand-made byte-level tokenizer shows GPT-2 pre-tokenization, merge order, added tokens
// and decoding.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "edge/tokenizer.h"
extern "C" {
#include "tokenizer/json.h"
#include "tokenizer/pretokenize.h"
}

namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<int32_t> encode(edge_tokenizer_t *t, const std::string &text, bool special = false) {
  int32_t *ids = nullptr;
  uint32_t count = 0;
  edge_status_t status = edge_tokenizer_encode(t, text.data(), text.size(), special, &ids, &count);
  EXPECT_EQ(status, nullptr) << edge_status_message(status);
  std::vector<int32_t> out(ids, ids + count);
  free(ids);
  return out;
}

std::string decode(edge_tokenizer_t *t, const std::vector<int32_t> &ids) {
  char *text = nullptr;
  size_t size = 0;
  edge_status_t status = edge_tokenizer_decode(t, ids.data(), ids.size(), &text, &size);
  EXPECT_EQ(status, nullptr) << edge_status_message(status);
  std::string out(text ? text : "", size);
  free(text);
  return out;
}

bool wellFormedUtf8(const std::string &text) {
  for (size_t i = 0; i < text.size();) {
    unsigned char c = text[i];
    size_t length = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (!length || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    i += length;
  }
  return true;
}

// Streams `ids` through a detokenizer one at a time: the pieces with the flush must be the
// whole decode, and every piece whole characters when the decode is.
void checkStreaming(edge_tokenizer_t *t, const std::vector<int32_t> &ids) {
  edge_detokenizer_t *d = nullptr;
  ASSERT_EQ(edge_detokenizer_create(t, 0, &d), nullptr);
  const std::string whole = decode(t, ids);
  std::string streamed;
  for (int32_t id : ids) {
    const char *text = nullptr;
    size_t size = 0;
    ASSERT_EQ(edge_detokenizer_push(d, id, &text, &size), nullptr);
    std::string piece(text, size);
    if (wellFormedUtf8(whole)) EXPECT_TRUE(wellFormedUtf8(piece)) << "a piece cut a character: " << piece;
    streamed += piece;
  }
  const char *rest = nullptr;
  size_t size = 0;
  edge_detokenizer_flush(d, &rest, &size);
  streamed.append(rest, size);
  EXPECT_EQ(streamed, whole);
  edge_detokenizer_release(d);
}

void checkAgainstSentencePiece(const std::string &dir, bool roundTrip) {
  edge_tokenizer_t *t = nullptr;
  ASSERT_EQ(edge_tokenizer_open((dir + "/tokenizer.json").c_str(), &t), nullptr);
  std::string reference = readFile(dir + "/reference.json");
  char error[128];
  json_value_t *root = edge_json_parse(reference.data(), reference.size(), error, sizeof(error), nullptr);
  ASSERT_NE(root, nullptr) << error;
  const json_value_t *cases = edge_json_get(root, "cases");
  ASSERT_TRUE(cases && cases->count >= 8);
  for (uint32_t c = 0; c < cases->count; ++c) {
    std::string text = edge_json_get(&cases->items[c], "text")->string;
    const json_value_t *ids = edge_json_get(&cases->items[c], "ids");
    std::vector<int32_t> expected;
    for (uint32_t i = 0; i < ids->count; ++i) expected.push_back(static_cast<int32_t>(ids->items[i].number));
    EXPECT_EQ(encode(t, text), expected) << "text: " << text;
    if (roundTrip) EXPECT_EQ(decode(t, expected), text) << "round trip of: " << text;
    checkStreaming(t, expected);
  }
  edge_json_free(root);
  edge_tokenizer_release(t);
}

// A continuation keeps its first space: the ids of " the" after a prompt stream as " the",
// where decode (a text of their own) gives "the".
TEST(TokenizerTest, DetokenizedContinuationKeepsItsSpace) {
  edge_tokenizer_t *t = nullptr;
  ASSERT_EQ(edge_tokenizer_open(EDGEC_TOKENIZER_DATA "/sentencepiece-small/tokenizer.json", &t), nullptr);
  std::vector<int32_t> ids = encode(t, "the");
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(decode(t, ids), "the");
  edge_detokenizer_t *d = nullptr;
  ASSERT_EQ(edge_detokenizer_create(t, 1, &d), nullptr);
  std::string streamed;
  for (int32_t id : ids) {
    const char *text = nullptr;
    size_t size = 0;
    ASSERT_EQ(edge_detokenizer_push(d, id, &text, &size), nullptr);
    streamed.append(text, size);
  }
  EXPECT_EQ(streamed, " the");
  edge_detokenizer_release(d);
  edge_tokenizer_release(t);
}

TEST(TokenizerTest, SentencePieceStyleMatchesSentencePiece) {
  // With byte fallback every text round-trips; without, unseen characters are <unk>.
  checkAgainstSentencePiece(EDGEC_TOKENIZER_DATA "/sentencepiece", true);
  checkAgainstSentencePiece(EDGEC_TOKENIZER_DATA "/sentencepiece-small", false);
  checkAgainstSentencePiece(EDGEC_TOKENIZER_DATA "/../models/kjv", true); // the trained LM's, 1024 pieces
  edge_tokenizer_t *t = nullptr;
  ASSERT_EQ(edge_tokenizer_open(EDGEC_TOKENIZER_DATA "/sentencepiece/tokenizer.json", &t), nullptr);
  std::vector<int32_t> withBos = encode(t, "Hello", true);
  ASSERT_FALSE(withBos.empty());
  EXPECT_EQ(withBos[0], 1) << "the post-processor's <s>";
  EXPECT_EQ(edge_tokenizer_token_id(t, "</s>"), 2);
  EXPECT_EQ(decode(t, withBos), "Hello") << "special tokens are not printed";
  edge_tokenizer_release(t);
}

// The byte-level alphabet spelled in UTF-8: printable bytes as themselves, others at 256+.
std::string alphabetChar(int byte) {
  static int table[256];
  static bool built = false;
  if (!built) {
    int next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
      table[b] = printable ? b : next++;
    }
    built = true;
  }
  int c = table[byte];
  std::string s;
  if (c < 0x80) s += static_cast<char>(c);
  else s += static_cast<char>(0xc0 | (c >> 6)), s += static_cast<char>(0x80 | (c & 0x3f));
  return s;
}

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

TEST(TokenizerTest, ByteLevelBpe) {
  // Vocab: byte b has id b; then "he" 256, "Ġt" 257, "ll" 258, "Ġhe" 259; <|endoftext|> 260.
  std::string vocab = "{";
  for (int b = 0; b < 256; ++b) vocab += jsonString(alphabetChar(b)) + ": " + std::to_string(b) + ", ";
  std::string space = alphabetChar(' ');
  vocab += "\"he\": 256, " + jsonString(space + "t") + ": 257, \"ll\": 258, " + jsonString(space + "he") + ": 259}";
  std::string merges = "[\"h e\", " + jsonString(space + " t") + ", \"l l\", [" + jsonString(space) + ", \"he\"]]";
  std::string json = "{\"added_tokens\": [{\"id\": 260, \"content\": \"<|endoftext|>\", \"special\": true}],"
                     " \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": true},"
                     " \"model\": {\"type\": \"BPE\", \"vocab\": " + vocab + ", \"merges\": " + merges + "}}";
  std::string path = ::testing::TempDir() + "/bytelevel.json";
  std::ofstream(path) << json;
  edge_tokenizer_t *t = nullptr;
  edge_status_t status = edge_tokenizer_open(path.c_str(), &t);
  ASSERT_EQ(status, nullptr) << edge_status_message(status);
  // "the" -> t + he; " hello" -> Ġhe + ll + o ("h e" outranks "Ġ h"... which does not exist,
  // then "Ġ he" merges); "\n" is byte 10; the added token is matched whole.
  EXPECT_EQ(encode(t, "the hello\n<|endoftext|>"),
            (std::vector<int32_t>{'t', 256, 259, 258, 'o', '\n', 260}));
  EXPECT_EQ(encode(t, "a  tall"), (std::vector<int32_t>{'a', ' ', 257, 'a', 258}))
      << "two spaces: the first stands alone, the second starts the word";
  EXPECT_EQ(decode(t, encode(t, "héllo wörld\t!")), "héllo wörld\t!");
  // Streamed, one byte-level id per byte: "é", "ö", "€" and "🦀" arrive over two to four
  // ids and come out whole; the added token prints nothing; an id past the vocabulary is
  // U+FFFD, also when it ends a held sequence early.
  checkStreaming(t, encode(t, "héllo wörld€ 🦀!<|endoftext|>the"));
  checkStreaming(t, {0xc3, 999, 0xa9, 'x'});
  edge_detokenizer_t *d = nullptr;
  ASSERT_EQ(edge_detokenizer_create(t, 0, &d), nullptr);
  const char *text = nullptr;
  size_t size = 0;
  ASSERT_EQ(edge_detokenizer_push(d, 0xf0, &text, &size), nullptr); // the crab's first byte
  EXPECT_EQ(size, 0u);
  edge_detokenizer_flush(d, &text, &size); // the stream ends inside it: the byte as it is
  EXPECT_EQ(std::string(text, size), "\xf0");
  edge_detokenizer_release(d);
  edge_tokenizer_release(t);
}

std::vector<std::string> split(split_pattern_t pattern, const std::string &text) {
  std::vector<std::string> pieces;
  for (size_t at = 0; at < text.size();) {
    size_t n = edge_next_pretoken(pattern, text.data() + at, text.size() - at);
    pieces.push_back(text.substr(at, n));
    at += n;
  }
  return pieces;
}

TEST(TokenizerTest, SplitPatterns) {
  std::string text = "Hello, world!! 12345\n\n  x I'LL don't";
  EXPECT_EQ(split(SPLIT_GPT2, text),
            (std::vector<std::string>{"Hello", ",", " world", "!!", " 12345", "\n\n ", " x", " I", "'", "LL", " don",
                                      "'t"}));
  EXPECT_EQ(split(SPLIT_LLAMA3, text),
            (std::vector<std::string>{"Hello", ",", " world", "!!", " ", "123", "45", "\n\n", " ", " x", " I", "'LL",
                                      " don", "'t"}));
  EXPECT_EQ(split(SPLIT_QWEN2, "x 2024"), (std::vector<std::string>{"x", " ", "2", "0", "2", "4"}));
}

TEST(TokenizerTest, BadFilesAreClearErrors) {
  std::string path = ::testing::TempDir() + "/bad.json";
  std::ofstream(path) << "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []";
  edge_tokenizer_t *t = nullptr;
  edge_status_t status = edge_tokenizer_open(path.c_str(), &t);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_DATA_LOSS);
  EXPECT_NE(std::string(edge_status_message(status)).find("not valid JSON"), std::string::npos);
  edge_status_free(status);
  std::ofstream(path) << "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}";
  status = edge_tokenizer_open(path.c_str(), &t);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_UNIMPLEMENTED);
  EXPECT_NE(std::string(edge_status_message(status)).find("model type 'Unigram'"), std::string::npos);
  edge_status_free(status);
  status = edge_tokenizer_open("/nonexistent/tokenizer.json", &t);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_NOT_FOUND);
  edge_status_free(status);
  EXPECT_EQ(t, nullptr);
}

// Vocabularies that would make encoding and decoding disagree, or hold text that is not
// text, are refused when the file is opened, each naming what is wrong.
TEST(TokenizerTest, InconsistentVocabulariesAreRefused) {
  const std::string head = "{\"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false}, ";
  const struct {
    std::string json, message;
  } cases[] = {
      {head + "\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"\xff\": 2}, \"merges\": []}}",
       "model.vocab: the token of id 2 is not valid UTF-8"},
      {head + "\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"\xc0\xaf\": 1}, \"merges\": []}}",
       "the token of id 1 is not valid UTF-8"}, // an overlong '/'
      {head + "\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": [\"a b\"]}}",
       "model.merges[0] ('a' + 'b') names a token the vocabulary lacks"},
      {head + "\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 0}, \"merges\": []}}",
       "model.vocab gives id 0 to two tokens"},
      {head + "\"added_tokens\": [{\"id\": 0, \"content\": \"<s>\", \"special\": true}], "
              "\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": []}}",
       "added token '<s>' has id 0, which is 'a' already"},
  };
  std::string path = ::testing::TempDir() + "/inconsistent.json";
  for (const auto &c : cases) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << c.json;
    edge_tokenizer_t *t = nullptr;
    edge_status_t status = edge_tokenizer_open(path.c_str(), &t);
    EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT) << c.json;
    EXPECT_NE(std::string(edge_status_message(status)).find(c.message), std::string::npos)
        << edge_status_message(status) << " / expected: " << c.message;
    edge_status_free(status);
    EXPECT_EQ(t, nullptr);
  }
}

} // namespace
