/* Chat templates (edge_chat_template_t in edge/tokenizer.h): a model's Jinja template is
 * recognised by the markers of its family, never executed; each family's reference
 * template is written out here as C that appends the same text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/handle.h"
#include "base/status.h"
#include "edge/tokenizer.h"
#include "tokenizer/file_text.h"
#include "tokenizer/json.h"
#include "tokenizer/utf8.h"

struct edge_chat_template_s {
  uint32_t magic; /* EDGE_HANDLE_CHAT_TEMPLATE (base/handle.h) */
  edge_chat_format_t format;
  char *bos, *eos;
  char *default_system;   /* ChatML: the system message the template supplies; NULL: none */
  int skip_empty_system;    /* Phi-3.5: an empty system message renders nothing */
};

static char *copy_string(const char *text) {
  size_t n = strlen(text ? text : "");
  char *copy = edge_mem_alloc(n + 1);
  if (copy) memcpy(copy, text ? text : "", n + 1);
  return copy;
}

void edge_chat_template_release(edge_chat_template_t *t) {
  if (!t) return;
  edge_handle_retire(&t->magic, EDGE_HANDLE_CHAT_TEMPLATE, "edge_chat_template_release");
  edge_mem_free(t->bos);
  edge_mem_free(t->eos);
  edge_mem_free(t->default_system);
  edge_mem_free(t);
}

static edge_status_t new_template(edge_chat_format_t format, const char *bos, const char *eos,
                                  edge_chat_template_t **out) {
  edge_chat_template_t *t = edge_mem_calloc(1, sizeof(*t));
  if (t) {
    t->magic = EDGE_HANDLE_CHAT_TEMPLATE;
    t->format = format;
    t->bos = copy_string(bos);
    t->eos = copy_string(eos);
  }
  if (!t || !t->bos || !t->eos) {
    if (t) edge_chat_template_release(t);
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  *out = t;
  return NULL;
}

edge_status_t edge_chat_template_create(edge_chat_format_t format, const char *bos_token, const char *eos_token,
                                        edge_chat_template_t **out) {
  if (!out) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_template is NULL");
  *out = NULL;
  if (format < EDGE_CHAT_FORMAT_LLAMA2 || format > EDGE_CHAT_FORMAT_GEMMA)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "unknown chat format %d", (int)format);
  if ((bos_token && !utf8_valid(bos_token, strlen(bos_token))) || (eos_token && !utf8_valid(eos_token, strlen(eos_token))))
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "bos_token or eos_token is not well-formed UTF-8");
  return new_template(format, bos_token, eos_token, out);
}

edge_chat_format_t edge_chat_template_format(const edge_chat_template_t *t) { return t ? t->format : 0; }

const char *edge_chat_template_end_of_turn(const edge_chat_template_t *t) {
  if (!t) return "";
  switch (t->format) {
  case EDGE_CHAT_FORMAT_LLAMA2: return t->eos;
  case EDGE_CHAT_FORMAT_LLAMA3: return "<|eot_id|>";
  case EDGE_CHAT_FORMAT_CHATML: return "<|im_end|>";
  case EDGE_CHAT_FORMAT_PHI3: return "<|end|>";
  case EDGE_CHAT_FORMAT_GEMMA: return "<end_of_turn>";
  }
  return "";
}

/*===--- Recognising a template ---------------------------------------------===*/

/* The start of an unknown template for an error message: printable ASCII, the rest escaped. */
static void describe_start(const char *text, char *out, size_t out_size) {
  size_t n = 0;
  for (size_t i = 0; text[i] && i < 48 && n + 5 < out_size; ++i) {
    unsigned char c = (unsigned char)text[i];
    if (c >= 0x20 && c < 0x7f && c != '"') out[n++] = (char)c;
    else n += (size_t)snprintf(out + n, out_size - n, "\\x%02x", c);
  }
  out[n] = '\0';
}

/* ChatML templates that supply a system message (Qwen's "You are a helpful assistant.")
 * spell it as one string literal from "<|im_start|>system\n" to "<|im_end|>"; *out gets
 * its text, unescaped, or stays NULL. Literals that stop earlier (Qwen2.5's tools branch
 * builds its system message from pieces) are skipped. */
static edge_status_t find_default_system(const char *source, char **out) {
  *out = NULL;
  static const char kStart[] = "<|im_start|>system\\n", kEnd[] = "<|im_end|>";
  for (const char *at = strstr(source, kStart); at; at = strstr(at + 1, kStart)) {
    const char *text = at + sizeof(kStart) - 1, *end = strstr(text, kEnd);
    if (!end || end == text) continue;
    size_t n = (size_t)(end - text);
    if (memchr(text, '\'', n) || memchr(text, '"', n) || memchr(text, '{', n)) continue; /* not one literal */
    char *system = edge_mem_alloc(n + 1);
    if (!system) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      if (text[i] == '\\' && i + 1 < n) { /* Jinja's string escapes */
        char e = text[++i];
        system[k++] = e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        system[k++] = text[i];
      }
    }
    system[k] = '\0';
    *out = system;
    return NULL;
  }
  return NULL;
}

/* The family of Jinja `source`, and what of its variant the rendering needs. */
static edge_status_t recognise(edge_chat_template_t *t, const char *source) {
  if (strstr(source, "<start_of_turn>")) {
    t->format = EDGE_CHAT_FORMAT_GEMMA;
    return NULL;
  }
  if (strstr(source, "<|start_header_id|>")) {
    if (strstr(source, "Cutting Knowledge Date"))
      return edge_make_status(EDGE_STATUS_UNIMPLEMENTED,
                              "chat template: Llama-3 markers with a \"Cutting Knowledge Date\" system header "
                              "(Llama-3.1 and later) are not rendered; name the format EDGE_CHAT_FORMAT_LLAMA3 "
                              "to use Llama-3's");
    t->format = EDGE_CHAT_FORMAT_LLAMA3;
    return NULL;
  }
  if (strstr(source, "<|im_start|>")) {
    t->format = EDGE_CHAT_FORMAT_CHATML;
    return find_default_system(source, &t->default_system);
  }
  if (strstr(source, "<|user|>")) {
    if (!strstr(source, "<|system|>"))
      return edge_make_status(EDGE_STATUS_UNIMPLEMENTED,
                              "chat template: Phi-3 markers (<|user|>) without <|system|> (the first Phi-3 "
                              "release's template) are not rendered");
    t->format = EDGE_CHAT_FORMAT_PHI3;
    t->skip_empty_system = strstr(source, "'system' and message['content']") != NULL;
    return NULL;
  }
  if (strstr(source, "[INST]")) {
    if (!strstr(source, "<<SYS>>"))
      return edge_make_status(EDGE_STATUS_UNIMPLEMENTED,
                              "chat template: [INST] without <<SYS>> (a Mistral-style template) is not rendered");
    t->format = EDGE_CHAT_FORMAT_LLAMA2;
    return NULL;
  }
  char start[256];
  describe_start(source, start, sizeof(start));
  return edge_make_status(EDGE_STATUS_UNIMPLEMENTED,
                          "chat template of no known family: none of [INST]/<<SYS>> (Llama-2), <|start_header_id|> "
                          "(Llama-3), <|im_start|> (ChatML), <|user|> (Phi-3), <start_of_turn> (Gemma) in "
                          "\"%s%s\"",
                          start, strlen(source) > 48 ? "..." : "");
}

/* A special token of tokenizer_config.json: a string, {"content": string}, null or absent
 * (empty). *out points into the JSON tree. */
static edge_status_t special_token(const json_value_t *root, const char *key, const char **out) {
  const json_value_t *value = edge_json_get(root, key);
  *out = "";
  if (!value || value->kind == JSON_NULL) return NULL;
  if (value->kind == JSON_OBJECT) value = edge_json_get(value, "content");
  if (!value || value->kind != JSON_STRING || strlen(value->string) != value->length)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                            "tokenizer_config: %s is neither a string nor {\"content\": string}", key);
  *out = value->string;
  return NULL;
}

/* "chat_template": a string, or a list of {"name", "template"} whose "default" is taken. */
static edge_status_t template_source(const json_value_t *root, const char **out) {
  const json_value_t *value = edge_json_get(root, "chat_template");
  if (!value) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "tokenizer_config: no chat_template");
  if (value->kind == JSON_ARRAY) {
    const json_value_t *found = NULL;
    for (uint32_t i = 0; i < value->count && !found; ++i) {
      const json_value_t *name = edge_json_get(&value->items[i], "name");
      if (name && name->kind == JSON_STRING && strcmp(name->string, "default") == 0)
        found = edge_json_get(&value->items[i], "template");
    }
    if (!found)
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                              "tokenizer_config: chat_template is a list without a \"default\" template");
    value = found;
  }
  if (value->kind != JSON_STRING || strlen(value->string) != value->length)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "tokenizer_config: chat_template is not a string");
  *out = value->string;
  return NULL;
}

static edge_status_t from_config(const json_value_t *root, edge_chat_template_t **out) {
  if (root->kind != JSON_OBJECT) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "tokenizer_config: not an object");
  const char *source = NULL, *bos = NULL, *eos = NULL;
  EDGE_RETURN_IF_ERROR(template_source(root, &source));
  EDGE_RETURN_IF_ERROR(special_token(root, "bos_token", &bos));
  EDGE_RETURN_IF_ERROR(special_token(root, "eos_token", &eos));
  edge_chat_template_t *t = NULL;
  EDGE_RETURN_IF_ERROR(new_template(0, bos, eos, &t));
  edge_status_t status = recognise(t, source);
  if (status) {
    edge_chat_template_release(t);
    return status;
  }
  *out = t;
  return NULL;
}

edge_status_t edge_chat_template_parse(const char *json, size_t size, edge_chat_template_t **out) {
  if (!out) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_template is NULL");
  *out = NULL;
  if (!json && size) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "json is NULL");
  char error[128] = "";
  int out_of_memory = 0;
  json_value_t *root = edge_json_parse(json ? json : "", size, error, sizeof(error), &out_of_memory);
  if (!root && out_of_memory) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  if (!root) return edge_make_status(EDGE_STATUS_DATA_LOSS, "tokenizer_config: not valid JSON: %s", error);
  edge_status_t status = from_config(root, out);
  edge_json_free(root);
  return status;
}

edge_status_t edge_chat_template_open(const char *path, edge_chat_template_t **out) {
  if (!out) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_template is NULL");
  *out = NULL;
  if (!path) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "path is NULL");
  char *text = NULL;
  size_t size = 0;
  EDGE_RETURN_IF_ERROR(edge_read_file_text(path, &text, &size));
  edge_status_t status = edge_chat_template_parse(text, size, out);
  edge_mem_free(text);
  if (status) {
    edge_status_t named = edge_make_status(edge_status_code(status), "%s: %s", path, edge_status_message(status));
    edge_status_free(status);
    return named;
  }
  return NULL;
}

/*===--- Rendering ------------------------------------------------------------===*/

typedef struct text_t {
  char *data;
  size_t size, capacity;
  int failed; /* out of memory: later appends do nothing */
} text_t;

static void append_bytes(text_t *t, const char *s, size_t n) {
  if (t->failed) return;
  if (t->size + n + 1 > t->capacity) {
    size_t capacity = (t->size + n + 1) * 2;
    char *grown = edge_mem_realloc(t->data, capacity);
    if (!grown) {
      t->failed = 1;
      return;
    }
    t->data = grown;
    t->capacity = capacity;
  }
  memcpy(t->data + t->size, s, n);
  t->size += n;
  t->data[t->size] = '\0';
}

static void append(text_t *t, const char *s) { append_bytes(t, s, strlen(s)); }

/* Whether the code point is whitespace to Python's str.isspace (what Jinja's trim and
 * Python's strip remove). */
static int python_space(uint32_t c) {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

static uint32_t decode_at(const unsigned char *s, size_t length) {
  static const unsigned char kLeadMask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
  uint32_t c = s[0] & kLeadMask[length];
  for (size_t k = 1; k < length; ++k) c = c << 6 | (s[k] & 0x3fu);
  return c;
}

/* Appends well-formed UTF-8 `s` without its leading and trailing whitespace. */
static void append_trimmed(text_t *t, const char *s) {
  const unsigned char *u = (const unsigned char *)s;
  size_t begin = 0, end = strlen(s);
  while (begin < end) {
    size_t length = utf8_sequence_length(u[begin]);
    if (!python_space(decode_at(u + begin, length))) break;
    begin += length;
  }
  while (end > begin) {
    size_t start = end - 1;
    while (start > begin && (u[start] & 0xc0) == 0x80) --start;
    if (!python_space(decode_at(u + start, end - start))) break;
    end = start;
  }
  append_bytes(t, s + begin, end - begin);
}

typedef enum role_e { ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT } role_t;

static edge_status_t check_messages(const edge_chat_message_t *messages, uint32_t count, role_t *roles) {
  for (uint32_t i = 0; i < count; ++i) {
    const char *role = messages[i].role, *content = messages[i].content;
    if (!role || !content) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "message %u: NULL role or content", i);
    if (strcmp(role, "system") == 0) roles[i] = ROLE_SYSTEM;
    else if (strcmp(role, "user") == 0) roles[i] = ROLE_USER;
    else if (strcmp(role, "assistant") == 0) roles[i] = ROLE_ASSISTANT;
    else return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "message %u: role is neither system, user nor assistant", i);
    if (!utf8_valid(content, strlen(content)))
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "message %u: content is not well-formed UTF-8", i);
  }
  return NULL;
}

/* Llama-2 and Gemma: after an optional leading system message, user and assistant turns
 * alternate, starting with the user (their templates raise an exception otherwise). */
static edge_status_t check_alternation(const role_t *roles, uint32_t count, uint32_t first, const char *family) {
  for (uint32_t i = first; i < count; ++i) {
    role_t expected = (i - first) % 2 == 0 ? ROLE_USER : ROLE_ASSISTANT;
    if (roles[i] != expected)
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                              "message %u: %s's template needs user and assistant turns alternating, from the user%s",
                              i, family, first ? " after the system message" : "");
  }
  return NULL;
}

static const char *const kRoleName[] = {"system", "user", "assistant"};

static edge_status_t render_llama2(const edge_chat_template_t *t, const edge_chat_message_t *m, const role_t *roles,
                                   uint32_t count, text_t *out) {
  uint32_t first = count && roles[0] == ROLE_SYSTEM;
  EDGE_RETURN_IF_ERROR(check_alternation(roles, count, first, "Llama-2"));
  for (uint32_t i = first; i < count; ++i) {
    text_t content = {0};
    if (i == first && first) { /* the system prompt opens the first user turn */
      append(&content, "<<SYS>>\n");
      append(&content, m[0].content);
      append(&content, "\n<</SYS>>\n\n");
    }
    append(&content, m[i].content);
    if (roles[i] == ROLE_USER) {
      append(out, t->bos);
      append(out, "[INST] ");
      if (content.data) append_trimmed(out, content.data);
      append(out, " [/INST]");
    } else {
      append(out, " ");
      if (content.data) append_trimmed(out, content.data);
      append(out, " ");
      append(out, t->eos);
    }
    out->failed |= content.failed;
    edge_mem_free(content.data);
  }
  return NULL;
}

static void render_llama3(const edge_chat_template_t *t, const edge_chat_message_t *m, const role_t *roles,
                          uint32_t count, int generation_prompt, text_t *out) {
  for (uint32_t i = 0; i < count; ++i) {
    if (i == 0) append(out, t->bos);
    append(out, "<|start_header_id|>");
    append(out, kRoleName[roles[i]]);
    append(out, "<|end_header_id|>\n\n");
    append_trimmed(out, m[i].content);
    append(out, "<|eot_id|>");
  }
  if (generation_prompt) append(out, "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

static void render_chatml(const edge_chat_template_t *t, const edge_chat_message_t *m, const role_t *roles,
                          uint32_t count, int generation_prompt, text_t *out) {
  if (count && roles[0] != ROLE_SYSTEM && t->default_system) {
    append(out, "<|im_start|>system\n");
    append(out, t->default_system);
    append(out, "<|im_end|>\n");
  }
  for (uint32_t i = 0; i < count; ++i) {
    append(out, "<|im_start|>");
    append(out, kRoleName[roles[i]]);
    append(out, "\n");
    append(out, m[i].content);
    append(out, "<|im_end|>\n");
  }
  if (generation_prompt) append(out, "<|im_start|>assistant\n");
}

static void render_phi3(const edge_chat_template_t *t, const edge_chat_message_t *m, const role_t *roles,
                        uint32_t count, int generation_prompt, text_t *out) {
  for (uint32_t i = 0; i < count; ++i) {
    if (roles[i] == ROLE_SYSTEM && t->skip_empty_system && !m[i].content[0]) continue;
    append(out, "<|");
    append(out, kRoleName[roles[i]]);
    append(out, "|>\n");
    append(out, m[i].content);
    append(out, "<|end|>\n");
  }
  append(out, generation_prompt ? "<|assistant|>\n" : t->eos);
}

static edge_status_t render_gemma(const edge_chat_template_t *t, const edge_chat_message_t *m, const role_t *roles,
                                  uint32_t count, int generation_prompt, text_t *out) {
  if (count && roles[0] == ROLE_SYSTEM)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "message 0: Gemma's template has no system role");
  EDGE_RETURN_IF_ERROR(check_alternation(roles, count, 0, "Gemma"));
  append(out, t->bos);
  for (uint32_t i = 0; i < count; ++i) {
    append(out, roles[i] == ROLE_USER ? "<start_of_turn>user\n" : "<start_of_turn>model\n");
    append_trimmed(out, m[i].content);
    append(out, "<end_of_turn>\n");
  }
  if (generation_prompt) append(out, "<start_of_turn>model\n");
  return NULL;
}

edge_status_t edge_chat_template_apply(const edge_chat_template_t *t, const edge_chat_message_t *messages,
                                       uint32_t count, int add_generation_prompt, char **out_text, size_t *out_size) {
  if (out_text) *out_text = NULL;
  if (out_size) *out_size = 0;
  if (!t || !out_text || (count && !messages))
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "edge_chat_template_apply: NULL argument");
  role_t *roles = edge_mem_alloc(sizeof(role_t) * (count ? count : 1));
  if (!roles) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  edge_status_t status = check_messages(messages, count, roles);
  text_t out = {0};
  append(&out, ""); /* an empty prompt is still a string */
  if (!status) {
    switch (t->format) {
    case EDGE_CHAT_FORMAT_LLAMA2: status = render_llama2(t, messages, roles, count, &out); break;
    case EDGE_CHAT_FORMAT_LLAMA3: render_llama3(t, messages, roles, count, add_generation_prompt, &out); break;
    case EDGE_CHAT_FORMAT_CHATML: render_chatml(t, messages, roles, count, add_generation_prompt, &out); break;
    case EDGE_CHAT_FORMAT_PHI3: render_phi3(t, messages, roles, count, add_generation_prompt, &out); break;
    case EDGE_CHAT_FORMAT_GEMMA: status = render_gemma(t, messages, roles, count, add_generation_prompt, &out); break;
    }
  }
  edge_mem_free(roles);
  if (!status && out.failed) status = edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  if (status) {
    edge_mem_free(out.data);
    return status;
  }
  *out_text = out.data;
  if (out_size) *out_size = out.size;
  return NULL;
}
