/*
 * edge/tokenizer.h — Hugging Face tokenizer.json for BPE models, in plain C (libedgetok,
 * an optional library next to libedgert).
 *
 * Two families are understood:
 *   - byte-level BPE (GPT-2, Llama-3, Qwen2): the ByteLevel pre-tokenizer, with GPT-2's
 *     split pattern or the Llama-3/Qwen2 Split pattern in front;
 *   - SentencePiece-style BPE (Llama-2, Mistral): "▁" for spaces (Prepend/Replace
 *     normalizer or Metaspace pre-tokenizer) and byte_fallback to <0xXX> tokens.
 * Added tokens (<s>, <|endoftext|>, ...) in the text are matched as themselves. A
 * TemplateProcessing post-processor's leading special tokens (e.g. <s>) are added by
 * edge_tokenizer_encode when add_special is set. Classifying letters and digits beyond
 * ASCII follows a simplification: every non-ASCII code point counts as a letter.
 *
 * Thread safety: a tokenizer is immutable after open; any number of threads may use it.
 */
#ifndef EDGE_TOKENIZER_H_
#define EDGE_TOKENIZER_H_

#include <stddef.h>
#include <stdint.h>

#include "edge/edgert.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct edge_tokenizer_s edge_tokenizer_t;

/* Reads and validates `path`. Errors: NOT_FOUND, DATA_LOSS (not JSON; the message gives
 * the offset), UNIMPLEMENTED (a model or pre-tokenizer type this library does not know;
 * the message names it), INVALID_ARGUMENT (inconsistent vocab, merges or added tokens:
 * text that is not well-formed UTF-8, two tokens of one id, an added token whose id the
 * vocab gives to other text, a merge of or into a token the vocab lacks). */
edge_status_t edge_tokenizer_open(const char *path, edge_tokenizer_t **out_tokenizer);
void edge_tokenizer_release(edge_tokenizer_t *tokenizer);

/* Token ids of `text` (UTF-8, `size` bytes); the caller frees *out_ids with edge_free
 * (edge/edgert.h; free() with the default allocator). */
edge_status_t edge_tokenizer_encode(const edge_tokenizer_t *tokenizer, const char *text, size_t size,
                                    int add_special, int32_t **out_ids, uint32_t *out_count);
/* Text of `ids` (*out_text NUL-terminated; the caller frees it with edge_free). Special
 * tokens are left out; a leading space the SentencePiece convention added is removed; an
 * id without text (beyond the vocabulary, e.g. a model's padded logits) becomes U+FFFD. */
edge_status_t edge_tokenizer_decode(const edge_tokenizer_t *tokenizer, const int32_t *ids, uint32_t count,
                                    char **out_text, size_t *out_size);

/*
 * Streaming text: an app that prints tokens as they are generated hands each id to a
 * detokenizer and prints what comes back. Decoding ids one at a time instead would drop
 * the spaces SentencePiece pieces carry at their start ("▁the" is " the" inside a text,
 * "the" at its start) and cut multi-byte characters that byte-level or byte-fallback
 * tokens spell over several ids. The pieces a detokenizer hands out, followed by what
 * edge_detokenizer_flush returns, are exactly edge_tokenizer_decode of all the ids; each
 * piece ends on a whole UTF-8 character (only the flush may hold an unfinished one).
 * With `continues_text` set, the ids continue a text shown already (generation after a
 * prompt), so the first piece keeps the space that decode would remove at a text's start.
 * The tokenizer must outlive the detokenizer. One detokenizer per stream; not thread-safe.
 */
typedef struct edge_detokenizer_s edge_detokenizer_t;
edge_status_t edge_detokenizer_create(const edge_tokenizer_t *tokenizer, int continues_text,
                                      edge_detokenizer_t **out_detokenizer);
/* Appends `id`; *out_text (NUL-terminated, owned by the detokenizer, valid until its next
 * call) gets the text it completes, possibly empty. Fails only with RESOURCE_EXHAUSTED,
 * leaving the detokenizer as it was. */
edge_status_t edge_detokenizer_push(edge_detokenizer_t *detokenizer, int32_t id, const char **out_text,
                                    size_t *out_size);
/* The bytes still held back (an unfinished UTF-8 sequence at the end), handed out as they
 * are: call once when the stream ends. */
void edge_detokenizer_flush(edge_detokenizer_t *detokenizer, const char **out_text, size_t *out_size);
void edge_detokenizer_release(edge_detokenizer_t *detokenizer);

/*
 * Stop strings: generation that ends when its text contains one of the app's strings
 * ("\nUser:", "</answer>"), wherever the tokens happen to split it. A stop filter takes
 * the text as it streams (what a detokenizer hands out) and hands out only text that can
 * no longer turn into a stop string: the end of the text that could be the start of one
 * is held back until the next text decides. When a stop string is complete, the filter
 * hands out the text before it, reports stopped, and from then on hands out nothing; the
 * stop string and what follows it are never handed out. An app's on_token (edge/lm.h)
 * pushes the id to its detokenizer, the text to the filter, prints what comes back and
 * returns non-zero once stopped:
 *
 *     edge_detokenizer_push(d, token, &text, &size);
 *     edge_stop_filter_push(f, text, size, &text, &size, &stopped);
 *     fwrite(text, 1, size, stdout);
 *     return stopped;
 *
 * When the stream ends without a stop, the detokenizer's flush goes through the filter too,
 * then edge_stop_filter_flush hands out what it still holds. The pieces handed out are
 * then exactly the whole text up to the first occurrence of any stop string (the whole
 * text when none occurs). One filter per stream; not thread-safe; it keeps no pointer to
 * the caller's strings.
 */
typedef struct edge_stop_filter_s edge_stop_filter_t;
/* `count` stop strings, each non-empty, NUL-terminated, well-formed UTF-8 (INVALID_ARGUMENT
 * naming the first that is not); count may be 0 (a filter that only passes text on). */
edge_status_t edge_stop_filter_create(const char *const *stops, uint32_t count, edge_stop_filter_t **out_filter);
/* Appends `size` bytes of text; *out_text (owned by the filter, NUL-terminated, valid until
 * its next call) gets the text now known to come before any stop string, possibly empty;
 * *out_stopped is set once a stop string is complete (and stays set). Fails only with
 * RESOURCE_EXHAUSTED (the filter as it was) or INVALID_ARGUMENT (a NULL argument). */
edge_status_t edge_stop_filter_push(edge_stop_filter_t *filter, const char *text, size_t size,
                                    const char **out_text, size_t *out_size, int *out_stopped);
/* The text still held back (the stream ended with the start of a stop string, which did not
 * complete); nothing once stopped. Call once when the stream ends. */
void edge_stop_filter_flush(edge_stop_filter_t *filter, const char **out_text, size_t *out_size);
void edge_stop_filter_release(edge_stop_filter_t *filter);

/*
 * Chat templates: the prompt text a chat model was trained on, for a list of messages.
 * Models ship a Jinja template (tokenizer_config.json's "chat_template"); this library does
 * not run Jinja but recognises the common families by their markers and renders what their
 * reference templates render:
 *   LLAMA2  [INST] ... [/INST] with <<SYS>> (Llama-2-chat): bos, the system prompt inside
 *           the first user turn, contents stripped, eos after each assistant turn; roles
 *           must alternate user/assistant after an optional system message; the
 *           generation prompt is implicit.
 *   LLAMA3  <|start_header_id|>role<|end_header_id|>\n\n content <|eot_id|> (Llama-3-Instruct):
 *           bos first, contents trimmed. Llama-3.1's template (a "Cutting Knowledge Date"
 *           system header, tools) is refused.
 *   CHATML  <|im_start|>role\n content <|im_end|>\n (Qwen, ChatML); a template that supplies
 *           a system message when the first message is none ("You are a helpful
 *           assistant." in Qwen2) supplies it here too.
 *   PHI3    <|system|>/<|user|>/<|assistant|>\n content <|end|>\n, eos at the end without a
 *           generation prompt (Phi-3-mini-instruct, Phi-3.5).
 *   GEMMA   bos, <start_of_turn>user|model\n content <end_of_turn>\n, contents trimmed,
 *           roles alternating from the user (Gemma, Gemma-2); a system message is refused,
 *           as their templates refuse it (Gemma-3's template, which would put it before the
 *           first user message, is recognised as Gemma and refuses it too).
 * "Trimmed" and "stripped" remove what Python's str.strip() removes. Roles are "system",
 * "user" and "assistant"; contents must be well-formed UTF-8. Thread safety: a template
 * is immutable after it is made; any number of threads may apply it.
 */
typedef enum edge_chat_format_e {
  EDGE_CHAT_FORMAT_LLAMA2 = 1,
  EDGE_CHAT_FORMAT_LLAMA3 = 2,
  EDGE_CHAT_FORMAT_CHATML = 3,
  EDGE_CHAT_FORMAT_PHI3 = 4,
  EDGE_CHAT_FORMAT_GEMMA = 5,
} edge_chat_format_t;

typedef struct edge_chat_message_t {
  const char *role;    /* "system", "user" or "assistant" */
  const char *content; /* NUL-terminated UTF-8 */
} edge_chat_message_t;

typedef struct edge_chat_template_s edge_chat_template_t;

/* The template of a tokenizer_config.json: "chat_template" (a string, or a list of
 * {name, template} of which "default" is taken), "bos_token" and "eos_token" (strings or
 * {"content": ...}; absent: empty, as Jinja renders an undefined name). Errors: NOT_FOUND,
 * DATA_LOSS (not JSON; the offset), INVALID_ARGUMENT (no chat_template, or fields of the
 * wrong type; the message names them), UNIMPLEMENTED (a template of no family above, or a
 * variant this library does not render; the message names the markers it found). */
edge_status_t edge_chat_template_open(const char *tokenizer_config_path, edge_chat_template_t **out_template);
/* The same from the file's `size` bytes in memory (an asset). */
edge_status_t edge_chat_template_parse(const char *json, size_t size, edge_chat_template_t **out_template);
/* A family's reference template chosen by the app, with its special tokens (NULL: empty). */
edge_status_t edge_chat_template_create(edge_chat_format_t format, const char *bos_token, const char *eos_token,
                                        edge_chat_template_t **out_template);
void edge_chat_template_release(edge_chat_template_t *chat_template);
edge_chat_format_t edge_chat_template_format(const edge_chat_template_t *chat_template);
/* The text that ends a turn of the model ("<|eot_id|>", "<|im_end|>", "<|end|>",
 * "<end_of_turn>"; Llama-2: the eos token): a stop string for generation. Owned by the
 * template. */
const char *edge_chat_template_end_of_turn(const edge_chat_template_t *chat_template);
/* The prompt text for `count` messages (*out_text NUL-terminated; the caller frees it
 * with edge_free), followed by the start of an assistant turn when add_generation_prompt is set.
 * Errors: INVALID_ARGUMENT naming the message (unknown role, NULL or malformed content,
 * roles out of the order the template requires, a system message Gemma refuses),
 * RESOURCE_EXHAUSTED. */
edge_status_t edge_chat_template_apply(const edge_chat_template_t *chat_template, const edge_chat_message_t *messages,
                                       uint32_t count, int add_generation_prompt, char **out_text, size_t *out_size);

/* Highest token id + 1. */
uint32_t edge_tokenizer_vocab_size(const edge_tokenizer_t *tokenizer);
/* Id of a token's exact text (an added token such as "</s>" or a vocab entry), or -1. */
int32_t edge_tokenizer_token_id(const edge_tokenizer_t *tokenizer, const char *text);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_TOKENIZER_H_ */
