/*
 * edge-run WEIGHTS --prompt-ids 1,2,3 [--prompt-ids ...] [--max-tokens N] [--greedy]
 *         [--prompt TEXT ... --tokenizer tokenizer.json [--no-bos] [--ignore-eos]]
 *         [--temperature T] [--top-k K] [--top-p P] [--repetition-penalty R] [--seed S]
 *         [--stop-ids A,B] [--stop TEXT ...] [--prefill-chunk N] [--max-step-tokens N] [--max-context N]
 *         [--kv-page-tokens N] [--kv-budget-mb N] [--kv-f16 | --kv-int8] [--sliding-window N]
 *         [--fork-prefix N] [--sequential] [--threads N] [--pin] [--vulkan-device INDEX|NAME] [--json]
 *
 * Each --prompt-ids is one session; all sessions generate together (their prefill chunks
 * and decode tokens batched into shared steps) unless --sequential runs them one by one.
 * --fork-prefix N prefills the first N ids of the first prompt once and forks every
 * session from it (shared KV pages). Without --json, generated ids stream to stdout as
 * they come ("[session] id"); with --json, one JSON object per session is printed at the
 * end with prompt_ids, generated_ids and stats.
 *
 * With --tokenizer, --prompt TEXT is encoded (with the tokenizer's leading special tokens
 * such as <s> unless --no-bos), one session's text streams to stdout as it is generated,
 * the tokenizer's end-of-text token stops generation (unless --ignore-eos or --stop-ids),
 * and --json adds generated_text. Each --stop TEXT (with --tokenizer) ends a session
 * once its generated text contains TEXT: the text shown (streamed, in --json, or per
 * session) is what comes before it, and the finish reason is "stop".
 */
#include "generate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge/lm.h"
#include "kv_option.h"
#include "edge/tokenizer.h"

#define MAX_SESSIONS 64

typedef struct prompt_t {
  int32_t *ids;
  uint32_t count;
} prompt_t;

typedef struct stream_t {
  int json;
  int index;
  int print;                       /* the text goes to stdout as it comes */
  edge_detokenizer_t *detokenizer; /* the text as it comes; NULL: print ids */
  edge_stop_filter_t *filter;      /* --stop strings; NULL without */
  int stopped;                     /* the filter found a stop string */
  char *text;                      /* with a filter and not printing: the text so far */
  size_t size;
} stream_t;

static int usage_error(const char *message, const char *value) {
  fprintf(stderr, "edge-run: error: %s%s%s\n", message, value ? ": " : "", value ? value : "");
  return 1;
}

/* "1,2,3" -> ids; a malformed list is an error naming it. */
static int parse_ids(const char *text, prompt_t *out) {
  free(out->ids); /* a list given again replaces the last */
  out->ids = NULL;
  out->count = 0;
  const char *p = text;
  while (*p) {
    char *end = NULL;
    errno = 0;
    long value = strtol(p, &end, 10);
    if (end == p || errno || value < 0 || value > INT32_MAX) return 0;
    int32_t *ids = realloc(out->ids, sizeof(int32_t) * (out->count + 1));
    if (!ids) return 0;
    out->ids = ids;
    out->ids[out->count++] = (int32_t)value;
    p = end;
    if (*p == ',') ++p;
    else if (*p) return 0;
  }
  return 1;
}

static int parse_number(const char *text, double *out) {
  char *end = NULL;
  errno = 0;
  *out = strtod(text, &end);
  return end != text && *end == '\0' && !errno;
}

/* Options that count things take whole numbers their field holds: 1e10 or 2.5 for
 * --max-tokens is an error, not a wrapped or truncated count. */
static int whole_number_up_to(double number, double largest) {
  return number <= largest && number == (double)(uint64_t)number; /* 0 <= number, checked before */
}

/* Text of a stream that passed its stop filter: printed, or kept for the end. */
static int emit(stream_t *stream, const char *text, size_t size) {
  if (stream->print) {
    fwrite(text, 1, size, stdout);
    fflush(stdout);
    return 1;
  }
  if (!stream->filter || !size) return 1;
  char *grown = realloc(stream->text, stream->size + size + 1);
  if (!grown) return 0;
  memcpy(grown + stream->size, text, size);
  stream->size += size;
  grown[stream->size] = '\0';
  stream->text = grown;
  return 1;
}

static int stream_error(edge_status_t status) {
  fprintf(stderr, "edge-run: error: %s\n", status ? edge_status_message(status) : "out of memory");
  edge_status_free(status);
  return 1;
}

/* Text through the stream's stop filter (when it has one), then out. */
static int pass_text(stream_t *stream, const char *text, size_t size) {
  if (stream->filter) {
    edge_status_t status = edge_stop_filter_push(stream->filter, text, size, &text, &size, &stream->stopped);
    if (status) return stream_error(status);
  }
  if (!emit(stream, text, size)) return stream_error(NULL);
  return stream->stopped;
}

static int on_token(void *user, edge_lm_session_t *session, int32_t token) {
  (void)session;
  stream_t *stream = user;
  if (!stream->detokenizer) {
    if (stream->json) return 0;
    printf("[%d] %d\n", stream->index, token);
    fflush(stdout);
    return 0;
  }
  const char *text = NULL;
  size_t size = 0;
  edge_status_t status = edge_detokenizer_push(stream->detokenizer, token, &text, &size);
  if (status) return stream_error(status);
  return pass_text(stream, text, size); /* non-zero at a stop string: the session ends there */
}

/* The end of a stream that no stop string ended: what the detokenizer and filter hold. */
static void finish_stream(stream_t *stream) {
  if (!stream->detokenizer || stream->stopped) return;
  const char *rest = NULL;
  size_t size = 0;
  edge_detokenizer_flush(stream->detokenizer, &rest, &size);
  if (pass_text(stream, rest, size) || !stream->filter) return;
  edge_stop_filter_flush(stream->filter, &rest, &size);
  emit(stream, rest, size);
}

static void print_json_string(const char *text, size_t size) {
  putchar('"');
  for (size_t i = 0; i < size; ++i) {
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c == '\n') printf("\\n");
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static int fail_status(edge_status_t status) {
  fprintf(stderr, "edge-run: error: %s\n", edge_status_message(status));
  edge_status_free(status);
  return 1;
}


static void print_ids(const int32_t *ids, uint32_t count) {
  printf("[");
  for (uint32_t i = 0; i < count; ++i) printf("%s%d", i ? ", " : "", ids[i]);
  printf("]");
}

int edge_run_generate(const edge_model_desc_t *model, int argc, char **argv) {
  /* What the run owns, released at `done` whichever way it ends. */
  prompt_t prompts[MAX_SESSIONS] = {{0}};
  uint32_t num_prompts = 0;
  edge_tokenizer_t *tokenizer = NULL;
  edge_weights_t *weights = NULL;
  edge_lm_t *lm = NULL;
  edge_lm_session_t *root = NULL;
  edge_lm_session_t *sessions[MAX_SESSIONS] = {0};
  stream_t streams[MAX_SESSIONS] = {{0}};
  int failed = 0;
#define FAIL(result) do { failed = (result); goto done; } while (0)
  edge_lm_options_t options = {0};
  edge_lm_generate_params_t params = {0};
  params.max_tokens = 64;
  prompt_t stops = {0};
  int json = 0, sequential = 0, bos = 1, ignore_eos = 0;
  uint32_t weights_flags = EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS; /* --no-verify-weights: 0 */
  double fork_prefix = 0;
  const char *tokenizer_path = NULL;
  const char *texts[MAX_SESSIONS];
  uint32_t num_texts = 0;
  const char *stop_texts[MAX_SESSIONS];
  uint32_t num_stop_texts = 0;
  for (int i = 2; i < argc; ++i) {
    const char *arg = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    double number = 0;
    if (strcmp(arg, "--json") == 0) { json = 1; continue; }
    if (strcmp(arg, "--greedy") == 0) { params.sampling.temperature = 0; continue; }
    if (strcmp(arg, "--sequential") == 0) { sequential = 1; continue; }
    const int kv_option = parse_kv_dtype_option(arg, &options);
    if (kv_option < 0) FAIL(1);
    if (kv_option) continue;
    if (strcmp(arg, "--no-bos") == 0) { bos = 0; continue; }
    if (strcmp(arg, "--pin") == 0) { options.pin_threads = 1; continue; }
    if (strcmp(arg, "--no-verify-weights") == 0) { weights_flags = 0; continue; }
    if (strcmp(arg, "--ignore-eos") == 0) { ignore_eos = 1; continue; }
    if (strcmp(arg, "--input") == 0) {
      fprintf(stderr, "edge-run: error: --input: model '%s' is a causal LM compiled for the paged KV cache; it "
                      "generates from --prompt-ids or --prompt (compile with --paged-kv off to run the graph on "
                      "its inputs)\n", model->name);
      FAIL(1);
    }
    if (!value) FAIL(usage_error("option needs a value", arg));
    ++i;
    if (strcmp(arg, "--tokenizer") == 0) { tokenizer_path = value; continue; }
    if (strcmp(arg, "--vulkan-device") == 0) { options.vulkan_device = value; continue; }
    if (strcmp(arg, "--stop") == 0) {
      if (num_stop_texts == MAX_SESSIONS) FAIL(usage_error("too many --stop strings", value));
      stop_texts[num_stop_texts++] = value;
      continue;
    }
    if (strcmp(arg, "--prompt") == 0) {
      if (num_texts + num_prompts == MAX_SESSIONS) FAIL(usage_error("too many prompts", value));
      texts[num_texts++] = value;
      continue;
    }
    if (strcmp(arg, "--prompt-ids") == 0 || strcmp(arg, "--stop-ids") == 0) {
      int is_prompt = arg[2] == 'p';
      if (is_prompt && num_prompts == MAX_SESSIONS) FAIL(usage_error("too many --prompt-ids", value));
      prompt_t *target = is_prompt ? &prompts[num_prompts++] : &stops;
      if (!parse_ids(value, target)) FAIL(usage_error("expected comma-separated token ids", value));
      continue;
    }
    if (!parse_number(value, &number) || number < 0) FAIL(usage_error("expected a non-negative number", value));
    const int real_valued = strcmp(arg, "--temperature") == 0 || strcmp(arg, "--top-p") == 0 ||
                            strcmp(arg, "--repetition-penalty") == 0 || strcmp(arg, "--kv-budget-mb") == 0;
    const double largest = strcmp(arg, "--seed") == 0 ? 18446744073709549568.0 /* largest double below 2^64 */
                                                      : (double)UINT32_MAX;
    if (!real_valued && !whole_number_up_to(number, largest)) {
      fprintf(stderr, "edge-run: error: %s: expected a whole number up to %.0f: %s\n", arg, largest, value);
      FAIL(1);
    }
    if (strcmp(arg, "--max-tokens") == 0) params.max_tokens = (uint32_t)number;
    else if (strcmp(arg, "--temperature") == 0) params.sampling.temperature = (float)number;
    else if (strcmp(arg, "--top-k") == 0) params.sampling.top_k = (uint32_t)number;
    else if (strcmp(arg, "--top-p") == 0) params.sampling.top_p = (float)number;
    else if (strcmp(arg, "--repetition-penalty") == 0) params.sampling.repetition_penalty = (float)number;
    else if (strcmp(arg, "--seed") == 0) params.sampling.seed = (uint64_t)number;
    else if (strcmp(arg, "--prefill-chunk") == 0) options.prefill_chunk = (uint32_t)number;
    else if (strcmp(arg, "--max-step-tokens") == 0) options.max_step_tokens = (uint32_t)number;
    else if (strcmp(arg, "--max-context") == 0) options.max_context = (uint32_t)number;
    else if (strcmp(arg, "--kv-page-tokens") == 0) options.kv.page_tokens = (uint32_t)number;
    else if (strcmp(arg, "--kv-budget-mb") == 0) options.kv.budget_bytes = (uint64_t)(number * 1048576.0);
    else if (strcmp(arg, "--sliding-window") == 0) options.kv.sliding_window = (uint32_t)number;
    else if (strcmp(arg, "--fork-prefix") == 0) fork_prefix = number;
    else if (strcmp(arg, "--threads") == 0) options.num_threads = (uint32_t)number;
    else FAIL(usage_error("unknown argument", arg));
  }
  if (num_texts && !tokenizer_path) FAIL(usage_error("--prompt needs --tokenizer tokenizer.json", NULL));
  if (num_stop_texts && !tokenizer_path) FAIL(usage_error("--stop needs --tokenizer tokenizer.json", NULL));
  if (tokenizer_path) {
    edge_status_t status = edge_tokenizer_open(tokenizer_path, &tokenizer);
    if (status) FAIL(fail_status(status));
    for (uint32_t k = 0; k < num_texts; ++k) {
      prompt_t *prompt = &prompts[num_prompts++];
      status = edge_tokenizer_encode(tokenizer, texts[k], strlen(texts[k]), bos, &prompt->ids, &prompt->count);
      if (status) FAIL(fail_status(status));
    }
    /* The end-of-text token stops generation unless the caller chose the stops. */
    static const char *const kEndOfText[] = {"</s>", "<|endoftext|>", "<|eot_id|>", "<|im_end|>"};
    for (size_t k = 0; !ignore_eos && !stops.count && k < sizeof(kEndOfText) / sizeof(kEndOfText[0]); ++k) {
      int32_t id = edge_tokenizer_token_id(tokenizer, kEndOfText[k]);
      if (id < 0) continue;
      stops.ids = malloc(sizeof(int32_t));
      if (stops.ids) stops.ids[stops.count++] = id;
    }
  }
  if (num_prompts == 0)
    FAIL(usage_error("a causal LM needs --prompt-ids 1,2,3 or --prompt TEXT --tokenizer FILE", NULL));
  params.stop_ids = stops.ids;
  params.num_stop_ids = stops.count;

  edge_status_t status = edge_weights_open(argv[1], weights_flags, &weights);
  if (!status) status = edge_lm_create(model, weights, &options, &lm);
  if (status) FAIL(fail_status(status));

  uint32_t prefix = (uint32_t)fork_prefix;
  if (prefix > prompts[0].count) FAIL(usage_error("--fork-prefix is longer than the first prompt", NULL));
  if (prefix) { /* the shared prefix goes into the cache once */
    status = edge_lm_session_create(lm, &root);
    if (!status) status = edge_lm_prefill(root, prompts[0].ids, prefix);
    if (status) FAIL(fail_status(status));
  }
  for (uint32_t s = 0; s < num_prompts; ++s) {
    streams[s] = (stream_t){.json = json, .index = (int)s};
    streams[s].print = num_prompts == 1 && tokenizer && !json; /* one session's text streams as it comes */
    if (streams[s].print || num_stop_texts) { /* stop strings are found in each session's text */
      status = edge_detokenizer_create(tokenizer, 0, &streams[s].detokenizer); /* printed on a line of its own */
      if (!status && num_stop_texts) status = edge_stop_filter_create(stop_texts, num_stop_texts, &streams[s].filter);
      if (status) FAIL(fail_status(status));
    }
    status = root ? edge_lm_session_fork(root, &sessions[s]) : edge_lm_session_create(lm, &sessions[s]);
    if (status) FAIL(fail_status(status));
  }
  for (uint32_t s = 0; s < num_prompts; ++s) {
    params.on_token = on_token;
    params.user = &streams[s];
    const int32_t *ids = prompts[s].ids;
    uint32_t count = prompts[s].count;
    if (root) {
      if (count < prefix || memcmp(ids, prompts[0].ids, sizeof(int32_t) * prefix) != 0)
        FAIL(usage_error("with --fork-prefix every prompt must start with the shared prefix", NULL));
      ids += prefix;
      count -= prefix;
    }
    if (sequential) {
      status = edge_lm_generate(sessions[s], ids, count, &params);
    } else {
      status = edge_lm_session_start(sessions[s], ids, count, &params);
    }
    if (status) FAIL(fail_status(status));
  }
  uint32_t busy = 1;
  while (!sequential && busy) {
    status = edge_lm_step(lm, &busy);
    if (status) FAIL(fail_status(status));
  }

  edge_kv_pool_stats_t kv;
  edge_lm_kv_stats(lm, &kv);
  for (uint32_t s = 0; s < num_prompts; ++s) {
    const int32_t *ids = NULL;
    uint32_t count = 0;
    edge_lm_session_tokens(sessions[s], &ids, &count);
    edge_lm_stats_t stats;
    edge_lm_session_stats(sessions[s], &stats);
    edge_lm_finish_t finish = edge_lm_session_finish(sessions[s]);
    finish_stream(&streams[s]);
    if (streams[s].stopped) finish = EDGE_LM_FINISH_STOP; /* a stop string, not an app's callback */
    uint32_t generated = stats.generated_tokens, before = count - generated;
    if (finish == EDGE_LM_FINISH_ERROR) {
      fprintf(stderr, "edge-run: error: session %u: %s\n", s, edge_status_message(edge_lm_session_error(sessions[s])));
      failed = 1;
    }
    if (json) {
      printf("{\"session\": %u, \"prompt_ids\": ", s);
      print_ids(prompts[s].ids, prompts[s].count);
      printf(", \"generated_ids\": ");
      print_ids(ids + before, generated);
      if (streams[s].filter) {
        printf(", \"generated_text\": ");
        print_json_string(streams[s].text ? streams[s].text : "", streams[s].size);
      } else if (tokenizer) {
        char *text = NULL;
        size_t size = 0;
        edge_status_t decoded = edge_tokenizer_decode(tokenizer, ids + before, generated, &text, &size);
        printf(", \"generated_text\": ");
        if (decoded) {
          edge_status_free(decoded);
          printf("null");
        } else {
          print_json_string(text, size);
        }
        free(text);
      }
      printf(", \"finish\": \"%s\", \"stats\": {\"ttft_ms\": %.3f, \"prefill_tokens_per_s\": %.1f, "
             "\"decode_tokens_per_s\": %.1f, \"kv_pages\": %u, \"peak_kv_pages\": %u, \"kv_page_bytes\": %llu}, "
             "\"device\": ",
             edge_lm_finish_name(finish), stats.ttft_ms, stats.prefill_tokens_per_s, stats.decode_tokens_per_s,
             stats.kv_pages, kv.pages_peak, (unsigned long long)kv.page_bytes);
      const char *device = edge_lm_device_name(lm);
      print_json_string(device, strlen(device));
      printf("}\n");
    } else {
      if (streams[s].print) printf("\n");
      else if (streams[s].filter) printf("[%u] %s\n", s, streams[s].text ? streams[s].text : "");
      if (tokenizer && !streams[s].detokenizer) { /* several sessions: their text, one after another */
        char *text = NULL;
        size_t size = 0;
        edge_status_t decoded = edge_tokenizer_decode(tokenizer, ids + before, generated, &text, &size);
        if (!decoded) printf("[%u] %s\n", s, text);
        edge_status_free(decoded);
        free(text);
      }
      printf("session %u: %u prompt + %u generated tokens (%s); TTFT %.2f ms, prefill %.1f tok/s, decode %.1f "
             "tok/s\n",
             s, prompts[s].count, generated, edge_lm_finish_name(finish), stats.ttft_ms, stats.prefill_tokens_per_s,
             stats.decode_tokens_per_s);
    }
  }
  if (!json)
    printf("KV cache: peak %u of %u pages (%llu bytes each, %s)\n", kv.pages_peak, kv.pages_total,
           (unsigned long long)kv.page_bytes, kv.dtype == EDGE_DTYPE_F16 ? "f16" : kv.dtype == EDGE_DTYPE_I8 ? "int8" : "f32");
done:
#undef FAIL
  for (uint32_t s = 0; s < num_prompts; ++s) edge_lm_session_release(sessions[s]);
  edge_lm_session_release(root);
  edge_lm_release(lm);
  edge_weights_release(weights);
  for (uint32_t s = 0; s < num_prompts; ++s) {
    free(prompts[s].ids);
    edge_detokenizer_release(streams[s].detokenizer);
    edge_stop_filter_release(streams[s].filter);
    free(streams[s].text);
  }
  free(stops.ids);
  edge_tokenizer_release(tokenizer);
  return failed;
}
