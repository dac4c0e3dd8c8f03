/* Internal: the regex splits byte-level BPE tokenizers apply before BPE, hand-coded. */
#ifndef EDGE_TOKENIZER_PRETOKENIZE_H_
#define EDGE_TOKENIZER_PRETOKENIZE_H_

#include <stddef.h>

typedef enum split_pattern_e {
  SPLIT_NONE,   /* the whole text is one word */
  SPLIT_GPT2,   /* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
  SPLIT_LLAMA3, /* case-insensitive contractions, [^\r\n\p{L}\p{N}]?\p{L}+, \p{N}{1,3}, ... */
  SPLIT_QWEN2,  /* as Llama-3 with single digits */
} split_pattern_t;

/* Recognizes the Split regex of a tokenizer.json; 0 when it is none of the above. */
int edge_split_pattern_from_regex(const char *regex, split_pattern_t *out);

/* Length in bytes (>= 1 when size > 0) of the pre-token at the start of `text`. */
size_t edge_next_pretoken(split_pattern_t pattern, const char *text, size_t size);

#endif /* EDGE_TOKENIZER_PRETOKENIZE_H_ */
