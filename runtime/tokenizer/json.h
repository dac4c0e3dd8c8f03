/* A small JSON reader for tokenizer.json: a tree of values over one allocation. */
#ifndef EDGE_TOKENIZER_JSON_H_
#define EDGE_TOKENIZER_JSON_H_

#include <stddef.h>
#include <stdint.h>

typedef enum json_kind_e { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_kind_t;

typedef struct json_value_t json_value_t;
struct json_value_t {
  json_kind_t kind;
  uint32_t count;      /* array items or object members */
  double number;       /* JSON_NUMBER; JSON_BOOL: 0 or 1 */
  char *string;        /* JSON_STRING: UTF-8, NUL-terminated (may hold NULs; see length) */
  size_t length;       /* JSON_STRING: bytes */
  char **keys;         /* JSON_OBJECT: member names */
  json_value_t *items; /* JSON_ARRAY items, JSON_OBJECT member values */
};

/* Parses `size` bytes. On failure returns NULL and writes "offset N: what" into error;
 * *out_of_memory (when not NULL) says whether it failed for want of memory rather than
 * for the text. */
json_value_t *edge_json_parse(const char *text, size_t size, char *error, size_t error_size, int *out_of_memory);
void edge_json_free(json_value_t *value);

/* Member `key` of an object, or NULL (also when `object` is not an object). */
const json_value_t *edge_json_get(const json_value_t *object, const char *key);

#endif /* EDGE_TOKENIZER_JSON_H_ */
