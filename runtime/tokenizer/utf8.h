/* Internal: UTF-8 sequence lengths, shared by the pre-tokenizer and the BPE encoder. */
#ifndef EDGE_TOKENIZER_UTF8_H_
#define EDGE_TOKENIZER_UTF8_H_

#include <stddef.h>
#include <stdint.h>

/* Bytes of the sequence a lead byte starts; a stray continuation or invalid byte stands
 * alone (1), so walking any byte string makes progress. */
static inline size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 1;
}

/* Whether `n` bytes at `text` are well-formed UTF-8: no stray or missing continuation
 * bytes, overlong forms, surrogates or code points past U+10FFFF. */
static inline int utf8_valid(const char *text, size_t n) {
  const unsigned char *s = (const unsigned char *)text;
  for (size_t i = 0; i < n;) {
    const unsigned char lead = s[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t code, smallest;
    if ((lead & 0xe0) == 0xc0) length = 2, code = lead & 0x1fu, smallest = 0x80;
    else if ((lead & 0xf0) == 0xe0) length = 3, code = lead & 0x0fu, smallest = 0x800;
    else if ((lead & 0xf8) == 0xf0) length = 4, code = lead & 0x07u, smallest = 0x10000;
    else return 0;
    if (n - i < length) return 0;
    for (size_t k = 1; k < length; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return 0;
      code = code << 6 | (s[i + k] & 0x3fu);
    }
    if (code < smallest || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
    i += length;
  }
  return 1;
}

#endif /* EDGE_TOKENIZER_UTF8_H_ */
