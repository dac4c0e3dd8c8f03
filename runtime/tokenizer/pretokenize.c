/*
 * The split patterns of byte-level BPE tokenizers as small scanners: the alternatives of
 * each regex are tried in order at the current position, as the regex engine would.
 * \p{L} is approximated by ASCII letters plus every non-ASCII code point, \p{N} by ASCII
 * digits, \s by ASCII whitespace.
 */
#include "tokenizer/pretokenize.h"
#include "tokenizer/utf8.h"

#include <string.h>

static const char kGpt2[] = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
static const char kLlama3[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char kQwen2[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

int edge_split_pattern_from_regex(const char *regex, split_pattern_t *out) {
  if (strcmp(regex, kGpt2) == 0) *out = SPLIT_GPT2;
  else if (strcmp(regex, kLlama3) == 0) *out = SPLIT_LLAMA3;
  else if (strcmp(regex, kQwen2) == 0) *out = SPLIT_QWEN2;
  else return 0;
  return 1;
}

typedef enum char_class_e { CLASS_LETTER, CLASS_NUMBER, CLASS_SPACE, CLASS_OTHER } char_class_t;

/* Bytes of the code point at text[0] (a stray continuation byte counts alone). */
static size_t char_size(const char *text, size_t size) {
  size_t n = utf8_sequence_length((unsigned char)text[0]);
  return n <= size ? n : size;
}

static char_class_t classify(const char *text) {
  unsigned char c = (unsigned char)text[0];
  if (c >= 0x80) return CLASS_LETTER;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return CLASS_LETTER;
  if (c >= '0' && c <= '9') return CLASS_NUMBER;
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return CLASS_SPACE;
  return CLASS_OTHER;
}

static int is_newline(char c) { return c == '\n' || c == '\r'; }

/* Bytes of the run of code points of class `cls` from `at`, at most `max_chars` of them. */
static size_t run_of(const char *text, size_t size, size_t at, char_class_t cls, size_t max_chars) {
  size_t end = at, chars = 0;
  while (end < size && chars < max_chars && classify(text + end) == cls) {
    end += char_size(text + end, size - end);
    ++chars;
  }
  return end - at;
}

static size_t contraction(const char *text, size_t size, int any_case) {
  static const char *const kSuffixes[] = {"s", "t", "re", "ve", "m", "ll", "d"};
  if (text[0] != '\'') return 0;
  for (size_t k = 0; k < sizeof(kSuffixes) / sizeof(kSuffixes[0]); ++k) {
    size_t n = strlen(kSuffixes[k]);
    if (n + 1 > size) continue;
    size_t i = 0;
    for (; i < n; ++i) {
      char c = text[1 + i];
      if (any_case && c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
      if (c != kSuffixes[k][i]) break;
    }
    if (i == n) return n + 1;
  }
  return 0;
}

/* \s+(?!\S) then \s+: a whitespace run leaves its last character to the word after it. */
static size_t whitespace(const char *text, size_t size) {
  size_t run = run_of(text, size, 0, CLASS_SPACE, (size_t)-1);
  if (run == size || run <= 1) return run;
  return run - 1;
}

static size_t gpt2(const char *text, size_t size) {
  size_t n = contraction(text, size, 0);
  if (n) return n;
  size_t lead = text[0] == ' ' && size > 1 ? 1 : 0;
  char_class_t cls = classify(text + lead);
  if (cls != CLASS_SPACE) return lead + run_of(text, size, lead, cls, (size_t)-1);
  return whitespace(text, size);
}

static size_t llama3(const char *text, size_t size, size_t max_digits) {
  size_t n = contraction(text, size, 1);
  if (n) return n;
  char_class_t first = classify(text);
  if (first == CLASS_LETTER) return run_of(text, size, 0, CLASS_LETTER, (size_t)-1);
  size_t first_size = char_size(text, size);
  if (first != CLASS_NUMBER && !is_newline(text[0]) && first_size < size && classify(text + first_size) == CLASS_LETTER)
    return first_size + run_of(text, size, first_size, CLASS_LETTER, (size_t)-1);
  if (first == CLASS_NUMBER) return run_of(text, size, 0, CLASS_NUMBER, max_digits);
  size_t lead = text[0] == ' ' && size > 1 ? 1 : 0;
  if (classify(text + lead) == CLASS_OTHER) {
    size_t end = lead + run_of(text, size, lead, CLASS_OTHER, (size_t)-1);
    while (end < size && is_newline(text[end])) ++end;
    return end;
  }
  size_t run = run_of(text, size, 0, CLASS_SPACE, (size_t)-1);
  for (size_t i = run; i > 0; --i) /* \s*[\r\n]+: up to the last newline of the run */
    if (is_newline(text[i - 1])) return i;
  return whitespace(text, size);
}

size_t edge_next_pretoken(split_pattern_t pattern, const char *text, size_t size) {
  if (size == 0) return 0;
  switch (pattern) {
  case SPLIT_GPT2: return gpt2(text, size);
  case SPLIT_LLAMA3: return llama3(text, size, 3);
  case SPLIT_QWEN2: return llama3(text, size, 1);
  default: return size;
  }
}
