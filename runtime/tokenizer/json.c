/* Recursive-descent JSON parser (RFC 8259), with a depth limit for untrusted files. */
#include "tokenizer/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#define JSON_MAX_DEPTH 64

typedef struct parser_t {
  const char *text;
  size_t size, at;
  char *error;
  size_t error_size;
  int failed;
  int out_of_memory; /* what failed was an allocation */
} parser_t;

static void fail(parser_t *p, const char *what) {
  if (p->failed) return;
  p->failed = 1;
  snprintf(p->error, p->error_size, "offset %zu: %s", p->at, what);
}

static void skip_space(parser_t *p) {
  while (p->at < p->size && (p->text[p->at] == ' ' || p->text[p->at] == '\t' || p->text[p->at] == '\n' ||
                             p->text[p->at] == '\r'))
    ++p->at;
}

static int literal(parser_t *p, const char *word) {
  size_t n = strlen(word);
  if (p->size - p->at < n || memcmp(p->text + p->at, word, n) != 0) return 0;
  p->at += n;
  return 1;
}

static int hex4(parser_t *p, uint32_t *out) {
  if (p->size - p->at < 4) return 0;
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p->text[p->at++];
    value <<= 4;
    if (c >= '0' && c <= '9') value |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f') value |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') value |= (uint32_t)(c - 'A' + 10);
    else return 0;
  }
  *out = value;
  return 1;
}

static size_t put_utf8(char *out, uint32_t cp) {
  if (cp < 0x80) { out[0] = (char)cp; return 1; }
  if (cp < 0x800) { out[0] = (char)(0xc0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* Reads a string after its opening quote; escapes never make it longer than the source. */
static char *parse_string(parser_t *p, size_t *length) {
  size_t start = p->at;
  char *out = edge_mem_alloc(p->size - start + 1);
  if (!out) { p->out_of_memory = 1; fail(p, "out of memory"); return NULL; }
  size_t n = 0;
  while (p->at < p->size) {
    unsigned char c = (unsigned char)p->text[p->at++];
    if (c == '"') {
      out[n] = '\0';
      *length = n;
      return out;
    }
    if (c < 0x20) break;
    if (c != '\\') { out[n++] = (char)c; continue; }
    if (p->at >= p->size) break;
    char e = p->text[p->at++];
    uint32_t cp = 0;
    switch (e) {
    case '"': out[n++] = '"'; break;
    case '\\': out[n++] = '\\'; break;
    case '/': out[n++] = '/'; break;
    case 'b': out[n++] = '\b'; break;
    case 'f': out[n++] = '\f'; break;
    case 'n': out[n++] = '\n'; break;
    case 'r': out[n++] = '\r'; break;
    case 't': out[n++] = '\t'; break;
    case 'u':
      if (!hex4(p, &cp)) goto bad;
      if (cp >= 0xd800 && cp < 0xdc00) { /* a surrogate pair: one code point */
        uint32_t low = 0;
        if (!literal(p, "\\u") || !hex4(p, &low) || low < 0xdc00 || low >= 0xe000) goto bad;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      } else if (cp >= 0xdc00 && cp < 0xe000) {
        goto bad;
      }
      n += put_utf8(out + n, cp);
      break;
    default: goto bad;
    }
  }
bad:
  edge_mem_free(out);
  fail(p, "malformed string");
  return NULL;
}

static int parse_value(parser_t *p, json_value_t *value, int depth);

/* Grows `items` (and `keys`) geometrically while reading an array or object. */
static int push(parser_t *p, json_value_t *value, uint32_t *capacity, int with_key) {
  if (value->count < *capacity) return 1;
  uint32_t grown = *capacity ? *capacity * 2 : 8;
  json_value_t *items = edge_mem_realloc(value->items, sizeof(json_value_t) * grown);
  if (items) value->items = items;
  char **keys = with_key ? edge_mem_realloc(value->keys, sizeof(char *) * grown) : NULL;
  if (keys) value->keys = keys;
  if (!items || (with_key && !keys)) { p->out_of_memory = 1; fail(p, "out of memory"); return 0; }
  *capacity = grown;
  return 1;
}

static int parse_container(parser_t *p, json_value_t *value, int depth, int object) {
  value->kind = object ? JSON_OBJECT : JSON_ARRAY;
  uint32_t capacity = 0;
  skip_space(p);
  if (p->at < p->size && p->text[p->at] == (object ? '}' : ']')) { ++p->at; return 1; }
  for (;;) {
    if (!push(p, value, &capacity, object)) return 0;
    json_value_t *item = &value->items[value->count];
    memset(item, 0, sizeof(*item));
    if (object) {
      skip_space(p);
      size_t length = 0;
      if (p->at >= p->size || p->text[p->at] != '"') { fail(p, "expected a member name"); return 0; }
      ++p->at;
      char *key = parse_string(p, &length);
      if (!key) return 0;
      value->keys[value->count] = key;
      ++value->count; /* owned from here on, even if the value fails */
      skip_space(p);
      if (p->at >= p->size || p->text[p->at++] != ':') { fail(p, "expected ':'"); return 0; }
      if (!parse_value(p, item, depth + 1)) return 0;
    } else {
      ++value->count;
      if (!parse_value(p, item, depth + 1)) return 0;
    }
    skip_space(p);
    if (p->at >= p->size) { fail(p, "unterminated container"); return 0; }
    char c = p->text[p->at++];
    if (c == ',') continue;
    if (c == (object ? '}' : ']')) return 1;
    fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
    return 0;
  }
}

static int parse_value(parser_t *p, json_value_t *value, int depth) {
  if (depth > JSON_MAX_DEPTH) { fail(p, "nested too deeply"); return 0; }
  skip_space(p);
  if (p->at >= p->size) { fail(p, "unexpected end"); return 0; }
  char c = p->text[p->at];
  if (c == '{' || c == '[') { ++p->at; return parse_container(p, value, depth, c == '{'); }
  if (c == '"') {
    ++p->at;
    value->kind = JSON_STRING;
    value->string = parse_string(p, &value->length);
    return value->string != NULL;
  }
  if (literal(p, "true")) { value->kind = JSON_BOOL; value->number = 1; return 1; }
  if (literal(p, "false")) { value->kind = JSON_BOOL; return 1; }
  if (literal(p, "null")) { value->kind = JSON_NULL; return 1; }
  if (c == '-' || (c >= '0' && c <= '9')) {
    char buffer[64];
    size_t n = 0;
    while (p->at < p->size && n < sizeof(buffer) - 1 && strchr("+-0123456789.eE", p->text[p->at]))
      buffer[n++] = p->text[p->at++];
    buffer[n] = '\0';
    char *end = NULL;
    value->kind = JSON_NUMBER;
    value->number = strtod(buffer, &end);
    if (end != buffer + n) { fail(p, "malformed number"); return 0; }
    return 1;
  }
  fail(p, "unexpected character");
  return 0;
}

static void free_children(json_value_t *value) {
  for (uint32_t i = 0; i < value->count; ++i) {
    free_children(&value->items[i]);
    if (value->keys) edge_mem_free(value->keys[i]);
  }
  edge_mem_free(value->items);
  edge_mem_free(value->keys);
  edge_mem_free(value->string);
}

json_value_t *edge_json_parse(const char *text, size_t size, char *error, size_t error_size, int *out_of_memory) {
  parser_t p = {text, size, 0, error, error_size, 0, 0};
  if (out_of_memory) *out_of_memory = 0;
  json_value_t *root = edge_mem_calloc(1, sizeof(*root));
  if (!root) {
    snprintf(error, error_size, "out of memory");
    if (out_of_memory) *out_of_memory = 1;
    return NULL;
  }
  if (parse_value(&p, root, 0)) {
    skip_space(&p);
    if (p.at != p.size) fail(&p, "trailing characters");
  }
  if (p.failed) {
    edge_json_free(root);
    if (out_of_memory) *out_of_memory = p.out_of_memory;
    return NULL;
  }
  return root;
}

void edge_json_free(json_value_t *value) {
  if (!value) return;
  free_children(value);
  edge_mem_free(value);
}

const json_value_t *edge_json_get(const json_value_t *object, const char *key) {
  if (!object || object->kind != JSON_OBJECT) return NULL;
  for (uint32_t i = 0; i < object->count; ++i)
    if (strcmp(object->keys[i], key) == 0) return &object->items[i];
  return NULL;
}
