/* Internal: UTF-8 sequence lengths, shared by the pre-tokenizer and the BPE encoder. */
#ifndef EDGE_TOKENIZER_UTF8_H_
#define EDGE_TOKENIZER_UTF8_H_

#include <stddef.h>

/* Bytes of the sequence a lead byte starts; a stray continuation or invalid byte stands
 * alone (1), so walking any byte string makes progress. */
static inline size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 1;
}

#endif /* EDGE_TOKENIZER_UTF8_H_ */
