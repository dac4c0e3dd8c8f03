/* The bytes each token id stands for, shared by edge_tokenizer_decode and the streaming
 * detokenizer (detokenizer.c). Decoding ids is the concatenation of their pieces, less one
 * leading space where the SentencePiece convention added it. */
#ifndef EDGE_TOKENIZER_PIECES_H_
#define EDGE_TOKENIZER_PIECES_H_

#include <stddef.h>
#include <stdint.h>

#include "edge/tokenizer.h"

/* Bytes edge_tokenizer_piece_bytes may write for `id`. */
size_t edge_tokenizer_piece_capacity(const edge_tokenizer_t *t, int32_t id);
/* Writes `id`'s bytes to `out` and returns how many: none for a special token, U+FFFD for
 * an id without text, one byte for a <0xXX> byte-fallback token. */
size_t edge_tokenizer_piece_bytes(const edge_tokenizer_t *t, int32_t id, char *out);
/* Whether the decoded text's first space is the one the tokenizer's normalizer prepended. */
int edge_tokenizer_strips_leading_space(const edge_tokenizer_t *t);

#endif /* EDGE_TOKENIZER_PIECES_H_ */
