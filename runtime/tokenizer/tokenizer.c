/* BPE tokenizers from Hugging Face tokenizer.json: byte-level and SentencePiece-style. */
#include "edge/tokenizer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/handle.h"
#include "base/status.h"
#include "edge/fnv1a.h"
#include "tokenizer/file_text.h"
#include "tokenizer/json.h"
#include "tokenizer/pieces.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/utf8.h"

/*===--- a string -> int32 hash map (open addressing) ---------------------===*/

typedef struct strmap_t {
  char **keys;
  size_t *lengths;
  int32_t *values;
  size_t capacity, count;
} strmap_t;

static uint64_t hash_bytes(const char *s, size_t n) { return edge_fnv1a_update(EDGE_FNV1A_INIT, s, n); }

static int strmap_init(strmap_t *m, size_t expected) {
  m->capacity = 16;
  while (m->capacity < expected * 2) m->capacity *= 2;
  m->count = 0;
  m->keys = edge_mem_calloc(m->capacity, sizeof(char *));
  m->lengths = edge_mem_calloc(m->capacity, sizeof(size_t));
  m->values = edge_mem_calloc(m->capacity, sizeof(int32_t));
  return m->keys && m->lengths && m->values;
}

static void strmap_free(strmap_t *m) {
  for (size_t i = 0; m->keys && i < m->capacity; ++i) edge_mem_free(m->keys[i]);
  edge_mem_free(m->keys);
  edge_mem_free(m->lengths);
  edge_mem_free(m->values);
}

static size_t strmap_slot(const strmap_t *m, const char *key, size_t n) {
  size_t i = hash_bytes(key, n) & (m->capacity - 1);
  while (m->keys[i] && (m->lengths[i] != n || memcmp(m->keys[i], key, n) != 0)) i = (i + 1) & (m->capacity - 1);
  return i;
}

static int32_t strmap_get(const strmap_t *m, const char *key, size_t n) {
  size_t i = strmap_slot(m, key, n);
  return m->keys[i] ? m->values[i] : -1;
}

/* Inserts unless present; returns 0 on out of memory. The map is sized up front. */
static int strmap_put(strmap_t *m, const char *key, size_t n, int32_t value) {
  size_t i = strmap_slot(m, key, n);
  if (m->keys[i]) return 1;
  if ((m->count + 1) * 2 > m->capacity) return 0;
  m->keys[i] = edge_mem_alloc(n + 1);
  if (!m->keys[i]) return 0;
  memcpy(m->keys[i], key, n);
  m->keys[i][n] = '\0';
  m->lengths[i] = n;
  m->values[i] = value;
  ++m->count;
  return 1;
}

/*===--- the tokenizer ----------------------------------------------------===*/

typedef enum family_e { FAMILY_BYTE_LEVEL, FAMILY_SENTENCEPIECE } family_t;

typedef struct added_token_t {
  char *content;
  size_t length;
  int32_t id;
  int special;
} added_token_t;

struct edge_tokenizer_s {
  uint32_t magic; /* EDGE_HANDLE_TOKENIZER (base/handle.h) */
  family_t family;
  split_pattern_t pattern;  /* byte-level pre-tokenization */
  int prepend_space;        /* SentencePiece style: "▁" before the text */
  int byte_fallback;
  int fuse_unk; /* consecutive unknown symbols give one unk_token */
  int32_t unk;
  strmap_t vocab;           /* token text -> id */
  strmap_t merges;          /* "left\xffright" -> rank */
  char **id_text;           /* id -> token text (NULL for holes) */
  size_t *id_length;
  uint32_t vocab_size;
  added_token_t *added;
  uint32_t num_added;
  int32_t *prefix_ids;      /* post-processor's special tokens before the sequence */
  uint32_t num_prefix;
  uint16_t byte_to_char[256]; /* byte-level alphabet: byte -> code point */
  int16_t char_to_byte[512];  /* code point (< 512) -> byte, or -1 */
};

static const char kSpaceMark[] = "\xe2\x96\x81"; /* U+2581, SentencePiece's space */

static void byte_level_alphabet(edge_tokenizer_t *t) {
  /* Printable bytes stand for themselves; the rest shift to 256 + n in byte order. */
  int next = 256;
  for (int c = 0; c < 512; ++c) t->char_to_byte[c] = -1;
  for (int b = 0; b < 256; ++b) {
    int printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
    t->byte_to_char[b] = (uint16_t)(printable ? b : next++);
    t->char_to_byte[t->byte_to_char[b]] = (int16_t)b;
  }
}

static edge_status_t bad(const char *path, const char *what) {
  return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s: %s", path, what);
}

static const char *string_of(const json_value_t *v) { return v && v->kind == JSON_STRING ? v->string : NULL; }

static int type_is(const json_value_t *v, const char *type) {
  const char *t = string_of(edge_json_get(v, "type"));
  return t && strcmp(t, type) == 0;
}

/* Finds a component of `type`: `value` itself or an entry of its Sequence list
 * (normalizers, pre-tokenizers and post-processors nest this way). */
static const json_value_t *find_component(const json_value_t *value, const char *type) {
  static const char *const kLists[] = {"pretokenizers", "normalizers", "processors"};
  if (!value || value->kind != JSON_OBJECT) return NULL;
  if (type_is(value, type)) return value;
  for (size_t k = 0; k < sizeof(kLists) / sizeof(kLists[0]); ++k) {
    const json_value_t *list = edge_json_get(value, kLists[k]);
    for (uint32_t i = 0; list && list->kind == JSON_ARRAY && i < list->count; ++i)
      if (type_is(&list->items[i], type)) return &list->items[i];
  }
  return NULL;
}

static edge_status_t load_vocab(edge_tokenizer_t *t, const char *path, const json_value_t *model) {
  const json_value_t *vocab = edge_json_get(model, "vocab");
  if (!vocab || vocab->kind != JSON_OBJECT || vocab->count == 0) return bad(path, "model.vocab is not an object");
  if (!strmap_init(&t->vocab, vocab->count + 1024))
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (uint32_t i = 0; i < vocab->count; ++i) {
    const json_value_t *id = &vocab->items[i];
    if (id->kind != JSON_NUMBER || id->number < 0 || id->number > 16777216 || id->number != (int32_t)id->number)
      return bad(path, "model.vocab holds an id that is not a small non-negative integer");
    if (!utf8_valid(vocab->keys[i], strlen(vocab->keys[i])))
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s: model.vocab: the token of id %d is not valid UTF-8",
                              path, (int32_t)id->number);
    if (!strmap_put(&t->vocab, vocab->keys[i], strlen(vocab->keys[i]), (int32_t)id->number))
      return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    if ((uint32_t)id->number + 1 > t->vocab_size) t->vocab_size = (uint32_t)id->number + 1;
  }
  return NULL;
}

static edge_status_t load_merges(edge_tokenizer_t *t, const char *path, const json_value_t *model) {
  const json_value_t *merges = edge_json_get(model, "merges");
  if (!merges || merges->kind != JSON_ARRAY) return bad(path, "model.merges is not a list");
  if (!strmap_init(&t->merges, merges->count + 1))
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  char *key = NULL;
  size_t key_capacity = 0;
  for (uint32_t i = 0; i < merges->count; ++i) {
    const json_value_t *merge = &merges->items[i];
    const char *left, *right;
    size_t left_size, right_size;
    if (merge->kind == JSON_STRING) { /* "left right" */
      const char *space = strchr(merge->string, ' ');
      if (!space || strchr(space + 1, ' ')) { edge_mem_free(key); return bad(path, "a merge is not two tokens"); }
      left = merge->string;
      left_size = (size_t)(space - left);
      right = space + 1;
      right_size = strlen(right);
    } else if (merge->kind == JSON_ARRAY && merge->count == 2 && string_of(&merge->items[0]) &&
               string_of(&merge->items[1])) { /* ["left", "right"] */
      left = merge->items[0].string;
      left_size = merge->items[0].length;
      right = merge->items[1].string;
      right_size = merge->items[1].length;
    } else {
      edge_mem_free(key);
      return bad(path, "a merge is neither \"a b\" nor [\"a\", \"b\"]");
    }
    if (left_size + right_size + 1 > key_capacity) {
      key_capacity = 2 * (left_size + right_size + 1);
      char *grown = edge_mem_realloc(key, key_capacity);
      if (!grown) { edge_mem_free(key); return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory"); }
      key = grown;
    }
    /* A merge joins two tokens of the vocabulary into a third (tokenizers refuses others). */
    memcpy(key, left, left_size);
    memcpy(key + left_size, right, right_size);
    if (strmap_get(&t->vocab, left, left_size) < 0 || strmap_get(&t->vocab, right, right_size) < 0 ||
        strmap_get(&t->vocab, key, left_size + right_size) < 0) {
      edge_status_t status = edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                                              "%s: model.merges[%u] ('%.*s' + '%.*s') names a token the vocabulary "
                                              "lacks", path, i, (int)left_size, left, (int)right_size, right);
      edge_mem_free(key);
      return status;
    }
    key[left_size] = '\xff'; /* never part of UTF-8 text */
    memcpy(key + left_size + 1, right, right_size);
    if (!strmap_put(&t->merges, key, left_size + right_size + 1, (int32_t)i)) {
      edge_mem_free(key);
      return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    }
  }
  edge_mem_free(key);
  return NULL;
}

static edge_status_t load_added(edge_tokenizer_t *t, const char *path, const json_value_t *root) {
  const json_value_t *added = edge_json_get(root, "added_tokens");
  if (!added || added->kind != JSON_ARRAY) return NULL;
  t->added = edge_mem_calloc(added->count + 1, sizeof(added_token_t));
  if (!t->added) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (uint32_t i = 0; i < added->count; ++i) {
    const json_value_t *entry = &added->items[i];
    const json_value_t *id = edge_json_get(entry, "id");
    const json_value_t *content = edge_json_get(entry, "content");
    if (!id || id->kind != JSON_NUMBER || id->number < 0 || id->number > 16777216 || !string_of(content) ||
        content->length == 0)
      return bad(path, "an added token lacks an id or content");
    if (!utf8_valid(content->string, content->length))
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s: added_tokens: the content of id %d is not valid UTF-8",
                              path, (int32_t)id->number);
    added_token_t *token = &t->added[t->num_added++];
    token->content = edge_mem_strdup(content->string);
    if (!token->content) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    token->length = content->length;
    token->id = (int32_t)id->number;
    const json_value_t *special = edge_json_get(entry, "special");
    token->special = special && special->kind == JSON_BOOL && special->number != 0;
    if ((uint32_t)token->id + 1 > t->vocab_size) t->vocab_size = (uint32_t)token->id + 1;
  }
  return NULL;
}

/* id -> text, for decoding: vocab entries, then added tokens. An id names one text: two
 * vocabulary tokens of one id, or an added token whose id the vocabulary gives to another
 * text, would make encoding and decoding disagree. */
static edge_status_t build_id_table(edge_tokenizer_t *t, const char *path) {
  t->id_text = edge_mem_calloc(t->vocab_size, sizeof(char *));
  t->id_length = edge_mem_calloc(t->vocab_size, sizeof(size_t));
  if (!t->id_text || !t->id_length) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (size_t i = 0; i < t->vocab.capacity; ++i)
    if (t->vocab.keys[i]) {
      const int32_t id = t->vocab.values[i];
      if (t->id_text[id])
        return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s: model.vocab gives id %d to two tokens, '%s' and '%s'",
                                path, id, t->id_text[id], t->vocab.keys[i]);
      t->id_text[id] = t->vocab.keys[i];
      t->id_length[id] = t->vocab.lengths[i];
    }
  for (uint32_t i = 0; i < t->num_added; ++i) {
    const added_token_t *token = &t->added[i];
    const char *present = t->id_text[token->id];
    if (present && (t->id_length[token->id] != token->length || memcmp(present, token->content, token->length) != 0))
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s: added token '%s' has id %d, which is '%s' already",
                              path, token->content, token->id, present);
    t->id_text[token->id] = token->content;
    t->id_length[token->id] = token->length;
  }
  return NULL;
}

/* TemplateProcessing: the special tokens before "$A" in "single" (e.g. "<s>"). */
static edge_status_t load_post_processor(edge_tokenizer_t *t, const char *path, const json_value_t *root) {
  const json_value_t *post = find_component(edge_json_get(root, "post_processor"), "TemplateProcessing");
  const json_value_t *single = edge_json_get(post, "single");
  if (!single || single->kind != JSON_ARRAY) return NULL;
  t->prefix_ids = edge_mem_calloc(single->count + 1, sizeof(int32_t));
  if (!t->prefix_ids) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (uint32_t i = 0; i < single->count; ++i) {
    const char *name = string_of(edge_json_get(edge_json_get(&single->items[i], "SpecialToken"), "id"));
    if (!name) break; /* the sequence itself: what follows is a suffix */
    int32_t id = edge_tokenizer_token_id(t, name);
    if (id < 0) return bad(path, "post_processor names a special token the vocabulary lacks");
    t->prefix_ids[t->num_prefix++] = id;
  }
  return NULL;
}

static edge_status_t configure(edge_tokenizer_t *t, const char *path, const json_value_t *root) {
  const json_value_t *model = edge_json_get(root, "model");
  const char *type = string_of(edge_json_get(model, "type"));
  if (type && strcmp(type, "BPE") != 0)
    return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "%s: model type '%s' (only BPE is supported)", path, type);
  if (!model) return bad(path, "no model");
  const json_value_t *fallback = edge_json_get(model, "byte_fallback");
  t->byte_fallback = fallback && fallback->kind == JSON_BOOL && fallback->number != 0;
  const json_value_t *fuse = edge_json_get(model, "fuse_unk");
  t->fuse_unk = fuse && fuse->kind == JSON_BOOL && fuse->number != 0;
  EDGE_RETURN_IF_ERROR(load_vocab(t, path, model));
  EDGE_RETURN_IF_ERROR(load_merges(t, path, model));
  EDGE_RETURN_IF_ERROR(load_added(t, path, root));
  EDGE_RETURN_IF_ERROR(build_id_table(t, path));
  const char *unk = string_of(edge_json_get(model, "unk_token"));
  t->unk = unk ? edge_tokenizer_token_id(t, unk) : -1;
  EDGE_RETURN_IF_ERROR(load_post_processor(t, path, root));

  const json_value_t *pre = edge_json_get(root, "pre_tokenizer");
  const json_value_t *byte_level = find_component(pre, "ByteLevel");
  if (byte_level) {
    t->family = FAMILY_BYTE_LEVEL;
    byte_level_alphabet(t);
    const json_value_t *split = find_component(pre, "Split");
    if (split) {
      const char *regex = string_of(edge_json_get(edge_json_get(split, "pattern"), "Regex"));
      if (!regex || !edge_split_pattern_from_regex(regex, &t->pattern))
        return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "%s: pre-tokenizer Split pattern '%s' is not supported",
                                path, regex ? regex : "?");
    } else {
      const json_value_t *use_regex = edge_json_get(byte_level, "use_regex");
      t->pattern = use_regex && use_regex->kind == JSON_BOOL && !use_regex->number ? SPLIT_NONE : SPLIT_GPT2;
    }
    return NULL;
  }
  const json_value_t *normalizer = edge_json_get(root, "normalizer");
  const json_value_t *metaspace = find_component(pre, "Metaspace");
  const json_value_t *replace = find_component(normalizer, "Replace");
  if (metaspace || (replace && strcmp(string_of(edge_json_get(replace, "content")) ? string_of(edge_json_get(replace, "content")) : "",
                                      kSpaceMark) == 0)) {
    t->family = FAMILY_SENTENCEPIECE;
    const json_value_t *prepend = find_component(normalizer, "Prepend");
    const char *scheme = string_of(edge_json_get(metaspace, "prepend_scheme"));
    const json_value_t *add_prefix = edge_json_get(metaspace, "add_prefix_space");
    t->prepend_space = prepend != NULL || (scheme && strcmp(scheme, "never") != 0) ||
                       (add_prefix && add_prefix->kind == JSON_BOOL && add_prefix->number);
    return NULL;
  }
  if (pre && pre->kind != JSON_NULL)
    return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "%s: pre-tokenizer '%s' is not supported", path,
                            string_of(edge_json_get(pre, "type")) ? string_of(edge_json_get(pre, "type")) : "?");
  return edge_make_status(EDGE_STATUS_UNIMPLEMENTED,
                          "%s: neither byte-level nor SentencePiece-style (no ByteLevel, Metaspace or \"▁\" normalizer)",
                          path);
}

edge_status_t edge_tokenizer_open(const char *path, edge_tokenizer_t **out_tokenizer) {
  if (!out_tokenizer) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_tokenizer is NULL");
  *out_tokenizer = NULL;
  if (!path) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "path is NULL");
  char *text = NULL;
  size_t size = 0;
  EDGE_RETURN_IF_ERROR(edge_read_file_text(path, &text, &size));
  char error[128] = "";
  int out_of_memory = 0;
  json_value_t *root = edge_json_parse(text, size, error, sizeof(error), &out_of_memory);
  edge_mem_free(text);
  if (!root && out_of_memory) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "%s: out of memory", path);
  if (!root) return edge_make_status(EDGE_STATUS_DATA_LOSS, "%s: not valid JSON: %s", path, error);
  edge_tokenizer_t *t = edge_mem_calloc(1, sizeof(*t));
  if (t) t->magic = EDGE_HANDLE_TOKENIZER;
  edge_status_t status = t ? configure(t, path, root) : edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  edge_json_free(root);
  if (status) {
    edge_tokenizer_release(t);
    return status;
  }
  *out_tokenizer = t;
  return NULL;
}

void edge_tokenizer_release(edge_tokenizer_t *t) {
  if (!t) return;
  edge_handle_retire(&t->magic, EDGE_HANDLE_TOKENIZER, "edge_tokenizer_release");
  strmap_free(&t->vocab);
  strmap_free(&t->merges);
  for (uint32_t i = 0; i < t->num_added; ++i) edge_mem_free(t->added[i].content);
  edge_mem_free(t->added);
  edge_mem_free(t->id_text);
  edge_mem_free(t->id_length);
  edge_mem_free(t->prefix_ids);
  edge_mem_free(t);
}

uint32_t edge_tokenizer_vocab_size(const edge_tokenizer_t *t) { return t ? t->vocab_size : 0; }

int32_t edge_tokenizer_token_id(const edge_tokenizer_t *t, const char *text) {
  if (!t || !text) return -1;
  size_t n = strlen(text);
  for (uint32_t i = 0; i < t->num_added; ++i)
    if (t->added[i].length == n && memcmp(t->added[i].content, text, n) == 0) return t->added[i].id;
  return strmap_get(&t->vocab, text, n);
}

/*===--- encoding ---------------------------------------------------------===*/

typedef struct id_list_t {
  int32_t *ids;
  uint32_t count, capacity;
} id_list_t;

static int push_id(id_list_t *list, int32_t id) {
  if (list->count == list->capacity) {
    uint32_t capacity = list->capacity ? list->capacity * 2 : 64;
    int32_t *ids = edge_mem_realloc(list->ids, sizeof(int32_t) * capacity);
    if (!ids) return 0;
    list->ids = ids;
    list->capacity = capacity;
  }
  list->ids[list->count++] = id;
  return 1;
}


/* A candidate merge: the pair starting at symbol `left`, as it was when pushed. */
typedef struct {
  int32_t rank;
  size_t left;              /* index of the left symbol (its first byte never moves) */
  size_t left_end, right_end; /* the pair's byte ends then: a changed pair is stale */
} bpe_candidate_t;

/* Lower rank first, then the leftmost: the order in which repeated full scans for the
 * lowest-ranked pair would merge. */
static int candidate_before(const bpe_candidate_t *a, const bpe_candidate_t *b) {
  return a->rank != b->rank ? a->rank < b->rank : a->left < b->left;
}

static void heap_push(bpe_candidate_t *heap, size_t *count, bpe_candidate_t c) {
  size_t i = (*count)++;
  while (i > 0 && candidate_before(&c, &heap[(i - 1) / 2])) {
    heap[i] = heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  heap[i] = c;
}

static bpe_candidate_t heap_pop(bpe_candidate_t *heap, size_t *count) {
  bpe_candidate_t top = heap[0], last = heap[--*count];
  size_t i = 0;
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= *count) break;
    if (child + 1 < *count && candidate_before(&heap[child + 1], &heap[child])) ++child;
    if (!candidate_before(&heap[child], &last)) break;
    heap[i] = heap[child];
    i = child;
  }
  if (*count) heap[i] = last;
  return top;
}

/* Pushes the pair of symbol i and the next when the merges rank it (`key`: scratch for the
 * merge's "left\xffright" spelling). */
static void push_pair(const edge_tokenizer_t *t, const char *word, const size_t *starts, const size_t *next, size_t n,
                      size_t i, char *key, bpe_candidate_t *heap, size_t *count) {
  size_t r = next[i];
  if (r >= n) return;
  size_t left = starts[r] - starts[i], right = starts[next[r]] - starts[r];
  memcpy(key, word + starts[i], left);
  key[left] = '\xff';
  memcpy(key + left + 1, word + starts[r], right);
  int32_t rank = strmap_get(&t->merges, key, left + right + 1);
  if (rank >= 0) heap_push(heap, count, (bpe_candidate_t){rank, i, starts[r], starts[next[r]]});
}

/* Merges the symbols of `word` (boundaries in `starts`, n symbols) by BPE rank, then
 * appends their ids. O(n log n): the symbols are a linked list, the candidate pairs a
 * heap; a merge pushes the two pairs it creates, and popped pairs that changed since
 * they were pushed are skipped. */
static edge_status_t bpe_word(const edge_tokenizer_t *t, const char *word, size_t size, size_t *starts, size_t n,
                              id_list_t *out) {
  starts[n] = size;
  char *key = edge_mem_alloc(size + 2);
  size_t *next = edge_mem_alloc(sizeof(size_t) * (n + 1)), *prev = edge_mem_alloc(sizeof(size_t) * (n + 1));
  bpe_candidate_t *heap = edge_mem_alloc(sizeof(bpe_candidate_t) * (3 * n + 1)); /* n - 1 pairs, then 2 per merge */
  if (!key || !next || !prev || !heap) {
    edge_mem_free(key), edge_mem_free(next), edge_mem_free(prev), edge_mem_free(heap);
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  /* Symbol i spans [starts[i], starts[next[i]]); next[i] == n ends the list. */
  for (size_t i = 0; i < n; ++i) next[i] = i + 1, prev[i] = i ? i - 1 : n;
  size_t count = 0;
  for (size_t i = 0; i + 1 < n; ++i) push_pair(t, word, starts, next, n, i, key, heap, &count);
  while (count) {
    bpe_candidate_t c = heap_pop(heap, &count);
    size_t r = next[c.left];
    /* Stale: the left symbol was merged away (starts no longer matches) or either side grew. */
    if (prev[c.left] == SIZE_MAX || r >= n || starts[r] != c.left_end || starts[next[r]] != c.right_end) continue;
    next[c.left] = next[r];
    if (next[r] < n) prev[next[r]] = c.left;
    prev[r] = SIZE_MAX; /* r is gone */
    if (prev[c.left] < n) push_pair(t, word, starts, next, n, prev[c.left], key, heap, &count);
    push_pair(t, word, starts, next, n, c.left, key, heap, &count);
  }
  /* The surviving symbols, in order, back into starts[0..n). */
  size_t kept = 0;
  for (size_t i = 0; i < n; i = next[i]) starts[kept++] = starts[i];
  starts[kept] = size;
  n = kept;
  edge_mem_free(key), edge_mem_free(next), edge_mem_free(prev), edge_mem_free(heap);
  int last_was_unk = 0;
  for (size_t i = 0; i < n; ++i) {
    const char *symbol = word + starts[i];
    size_t length = starts[i + 1] - starts[i];
    int32_t id = strmap_get(&t->vocab, symbol, length);
    int unknown = id < 0 && !t->byte_fallback;
    if (unknown && last_was_unk && t->fuse_unk) continue; /* a run of unknowns is one <unk> */
    last_was_unk = unknown;
    if (id >= 0) {
      if (!push_id(out, id)) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
      continue;
    }
    if (t->byte_fallback) {
      for (size_t b = 0; b < length; ++b) {
        char name[8];
        snprintf(name, sizeof(name), "<0x%02X>", (unsigned char)symbol[b]);
        int32_t byte_id = strmap_get(&t->vocab, name, 6);
        if (byte_id < 0 || !push_id(out, byte_id))
          return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "byte_fallback without a %s token", name);
      }
      continue;
    }
    if (t->unk < 0 || !push_id(out, t->unk))
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "text holds a symbol outside the vocabulary and the "
                                                            "tokenizer has no unk_token");
  }
  return NULL;
}

/* A word as BPE symbols: its characters (SentencePiece) or its bytes spelled in the
 * byte-level alphabet. */
static edge_status_t encode_word(const edge_tokenizer_t *t, const char *text, size_t size, id_list_t *out) {
  if (size == 0) return NULL;
  size_t spelled_size = t->family == FAMILY_BYTE_LEVEL ? size * 2 : size;
  char *spelled = edge_mem_alloc(spelled_size + 1);
  size_t *starts = edge_mem_alloc(sizeof(size_t) * (size + 2));
  if (!spelled || !starts) {
    edge_mem_free(spelled);
    edge_mem_free(starts);
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  size_t n = 0, length = 0;
  if (t->family == FAMILY_BYTE_LEVEL) {
    for (size_t i = 0; i < size; ++i) {
      uint16_t c = t->byte_to_char[(unsigned char)text[i]];
      starts[n++] = length;
      if (c < 0x80) {
        spelled[length++] = (char)c;
      } else { /* < 0x200: two UTF-8 bytes */
        spelled[length++] = (char)(0xc0 | (c >> 6));
        spelled[length++] = (char)(0x80 | (c & 0x3f));
      }
    }
  } else {
    memcpy(spelled, text, size);
    length = size;
    for (size_t i = 0; i < size; i += utf8_sequence_length((unsigned char)text[i])) starts[n++] = i;
  }
  edge_status_t status = bpe_word(t, spelled, length, starts, n, out);
  edge_mem_free(spelled);
  edge_mem_free(starts);
  return status;
}

/* SentencePiece style: spaces become "▁", with one in front when the tokenizer prepends. */
static edge_status_t encode_sentencepiece(const edge_tokenizer_t *t, const char *text, size_t size, id_list_t *out) {
  char *normalized = edge_mem_alloc(3 * size + 4);
  if (!normalized) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  size_t n = 0;
  if (t->prepend_space) {
    memcpy(normalized, kSpaceMark, 3);
    n = 3;
  }
  for (size_t i = 0; i < size; ++i) {
    if (text[i] == ' ') {
      memcpy(normalized + n, kSpaceMark, 3);
      n += 3;
    } else {
      normalized[n++] = text[i];
    }
  }
  edge_status_t status = encode_word(t, normalized, n, out);
  edge_mem_free(normalized);
  return status;
}

static edge_status_t encode_segment(const edge_tokenizer_t *t, const char *text, size_t size, id_list_t *out) {
  if (size == 0) return NULL;
  if (t->family == FAMILY_SENTENCEPIECE) return encode_sentencepiece(t, text, size, out);
  size_t at = 0;
  while (at < size) {
    size_t length = edge_next_pretoken(t->pattern, text + at, size - at);
    EDGE_RETURN_IF_ERROR(encode_word(t, text + at, length, out));
    at += length;
  }
  return NULL;
}

/* The longest added token starting at `text`, or NULL. */
static const added_token_t *added_at(const edge_tokenizer_t *t, const char *text, size_t size) {
  const added_token_t *best = NULL;
  for (uint32_t i = 0; i < t->num_added; ++i)
    if (t->added[i].length <= size && memcmp(t->added[i].content, text, t->added[i].length) == 0 &&
        (!best || t->added[i].length > best->length))
      best = &t->added[i];
  return best;
}

edge_status_t edge_tokenizer_encode(const edge_tokenizer_t *t, const char *text, size_t size, int add_special,
                                    int32_t **out_ids, uint32_t *out_count) {
  if (!out_ids || !out_count) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_ids or out_count is NULL");
  *out_ids = NULL;
  *out_count = 0;
  if (!t || (!text && size)) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "tokenizer or text is NULL");
  id_list_t list = {0};
  edge_status_t status = NULL;
  for (uint32_t i = 0; add_special && i < t->num_prefix && !status; ++i)
    if (!push_id(&list, t->prefix_ids[i])) status = edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  size_t start = 0, at = 0;
  while (!status && at <= size) {
    const added_token_t *added = at < size ? added_at(t, text + at, size - at) : NULL;
    if (at < size && !added) {
      ++at;
      continue;
    }
    status = encode_segment(t, text + start, at - start, &list);
    if (!status && added && !push_id(&list, added->id))
      status = edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    if (!added) break;
    at += added->length;
    start = at;
  }
  if (status) {
    edge_mem_free(list.ids);
    return status;
  }
  *out_ids = list.ids;
  *out_count = list.count;
  return NULL;
}

/*===--- decoding ---------------------------------------------------------===*/

static const char kReplacement[] = "\xef\xbf\xbd"; /* U+FFFD for ids without text */

static int known(const edge_tokenizer_t *t, int32_t id) {
  return id >= 0 && (uint32_t)id < t->vocab_size && t->id_text[id];
}

static int is_special(const edge_tokenizer_t *t, int32_t id) {
  for (uint32_t i = 0; i < t->num_added; ++i)
    if (t->added[i].id == id) return t->added[i].special;
  return 0;
}

size_t edge_tokenizer_piece_capacity(const edge_tokenizer_t *t, int32_t id) {
  return known(t, id) ? t->id_length[id] : sizeof(kReplacement) - 1;
}

int edge_tokenizer_strips_leading_space(const edge_tokenizer_t *t) {
  return t->family == FAMILY_SENTENCEPIECE && t->prepend_space;
}

size_t edge_tokenizer_piece_bytes(const edge_tokenizer_t *t, int32_t id, char *out) {
  if (!known(t, id)) {
    memcpy(out, kReplacement, sizeof(kReplacement) - 1);
    return sizeof(kReplacement) - 1;
  }
  if (is_special(t, id)) return 0;
  const char *piece = t->id_text[id];
  const size_t length = t->id_length[id];
  size_t n = 0;
  if (t->family == FAMILY_BYTE_LEVEL) {
    for (size_t k = 0; k < length;) { /* alphabet characters back to bytes */
      unsigned char lead = (unsigned char)piece[k];
      uint32_t c = lead;
      size_t step = utf8_sequence_length(lead);
      if (step == 2 && k + 1 < length) c = ((lead & 0x1fu) << 6) | ((unsigned char)piece[k + 1] & 0x3fu);
      if (c < 512 && t->char_to_byte[c] >= 0 && step <= 2) out[n++] = (char)t->char_to_byte[c];
      else for (size_t b = 0; b < step && k + b < length; ++b) out[n++] = piece[k + b];
      k += step;
    }
    return n;
  }
  unsigned value = 0;
  if (length == 6 && sscanf(piece, "<0x%2X>", &value) == 1) { /* byte fallback */
    out[0] = (char)value;
    return 1;
  }
  for (size_t k = 0; k < length;) {
    if (k + 3 <= length && memcmp(piece + k, kSpaceMark, 3) == 0) {
      out[n++] = ' ';
      k += 3;
    } else {
      out[n++] = piece[k++];
    }
  }
  return n;
}

edge_status_t edge_tokenizer_decode(const edge_tokenizer_t *t, const int32_t *ids, uint32_t count, char **out_text,
                                    size_t *out_size) {
  if (!out_text) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_text is NULL");
  *out_text = NULL;
  if (out_size) *out_size = 0;
  if (!t || (!ids && count)) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "tokenizer or ids is NULL");
  size_t capacity = 16;
  for (uint32_t i = 0; i < count; ++i) capacity += edge_tokenizer_piece_capacity(t, ids[i]);
  char *text = edge_mem_alloc(capacity);
  if (!text) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  size_t n = 0;
  for (uint32_t i = 0; i < count; ++i) n += edge_tokenizer_piece_bytes(t, ids[i], text + n);
  size_t skip = edge_tokenizer_strips_leading_space(t) && n > 0 && text[0] == ' ' ? 1 : 0;
  memmove(text, text + skip, n - skip);
  n -= skip;
  text[n] = '\0';
  *out_text = text;
  if (out_size) *out_size = n;
  return NULL;
}
