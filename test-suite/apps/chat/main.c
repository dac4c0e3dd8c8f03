/*
 * chat: one turn of a chat with a causal LM compiled by edgec, its reply streamed as it is
 * generated.
 *
 *   chat MODEL.weights tokenizer.json (--config tokenizer_config.json | --template FAMILY)
 *        [--bos TEXT] [--eos TEXT] [--system TEXT] [--stop TEXT]... [--max-tokens N]
 *        [--temperature T] [--seed S] USER_MESSAGE
 *
 * FAMILY is llama2, llama3, chatml, phi3 or gemma (with --bos/--eos as its special tokens).
 * The conversation is rendered by the chat template with the start of the assistant's
 * turn, encoded, and generated from. Each generated id goes through a detokenizer (whole
 * UTF-8 characters, SentencePiece spaces kept) and a stop filter (the --stop strings and
 * the template's end-of-turn marker); what comes out is written to stdout at once. The
 * end-of-turn marker is also a stop id when it is one token: decoded text leaves special
 * tokens out, so the filter alone would never see it. At the end, stderr gets
 * "prompt_ids: ...", "generated_ids: ..." (comma-separated) and "finish: length|stop|...".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge/lm.h"
#include "edge/tokenizer.h"
#include "llm.h"

#define MAX_STOPS 16

typedef struct chat_args_t {
  const char *weights, *tokenizer, *config, *family, *bos, *eos, *system, *user;
  const char *stops[MAX_STOPS + 1]; /* room for the end-of-turn marker */
  uint32_t num_stops;
  uint32_t max_tokens;
  float temperature;
  uint64_t seed;
} chat_args_t;

/* What the token callback needs: it cannot return a status, so it keeps the first one. */
typedef struct stream_t {
  edge_detokenizer_t *detokenizer;
  edge_stop_filter_t *filter;
  edge_status_t error;
  int stopped; /* a stop string completed */
} stream_t;

static int report(edge_status_t status) {
  if (!status) return 0;
  fprintf(stderr, "chat: %s: %s\n", edge_status_code_name(edge_status_code(status)), edge_status_message(status));
  edge_status_free(status);
  return 1;
}

static void write_text(const char *text, size_t size) {
  fwrite(text, 1, size, stdout);
  fflush(stdout); /* the reader sees each piece as it is generated */
}

static int on_token(void *user, edge_lm_session_t *session, int32_t token) {
  (void)session;
  stream_t *stream = user;
  const char *text = NULL;
  size_t size = 0;
  stream->error = edge_detokenizer_push(stream->detokenizer, token, &text, &size);
  if (!stream->error)
    stream->error = edge_stop_filter_push(stream->filter, text, size, &text, &size, &stream->stopped);
  if (stream->error) return 1;
  write_text(text, size);
  return stream->stopped;
}

/* The end of a reply no stop string ended: the detokenizer's held bytes pass the filter,
 * then the filter's held text comes out. */
static edge_status_t finish_stream(stream_t *stream) {
  if (stream->stopped) return NULL;
  const char *text = NULL;
  size_t size = 0;
  edge_detokenizer_flush(stream->detokenizer, &text, &size);
  edge_status_t status = edge_stop_filter_push(stream->filter, text, size, &text, &size, &stream->stopped);
  if (status) return status;
  write_text(text, size);
  if (stream->stopped) return NULL;
  edge_stop_filter_flush(stream->filter, &text, &size);
  write_text(text, size);
  return NULL;
}

static const char *finish_name(edge_lm_finish_t finish, int stopped) {
  return stopped ? "stop" : edge_lm_finish_name(finish); /* the callback ended it, for a stop string */
}

static void print_ids(const char *label, const int32_t *ids, uint32_t count) {
  fprintf(stderr, "%s:", label);
  for (uint32_t i = 0; i < count; ++i) fprintf(stderr, "%s%d", i ? "," : " ", ids[i]);
  fprintf(stderr, "\n");
}

static int parse_family(const char *name, edge_chat_format_t *out) {
  static const struct { const char *name; edge_chat_format_t format; } families[] = {
      {"llama2", EDGE_CHAT_FORMAT_LLAMA2}, {"llama3", EDGE_CHAT_FORMAT_LLAMA3}, {"chatml", EDGE_CHAT_FORMAT_CHATML},
      {"phi3", EDGE_CHAT_FORMAT_PHI3},     {"gemma", EDGE_CHAT_FORMAT_GEMMA}};
  for (size_t i = 0; i < sizeof families / sizeof families[0]; ++i)
    if (!strcmp(name, families[i].name)) {
      *out = families[i].format;
      return 1;
    }
  return 0;
}

static int usage(const char *problem) {
  if (problem) fprintf(stderr, "chat: %s\n", problem);
  fprintf(stderr, "usage: chat MODEL.weights tokenizer.json (--config tokenizer_config.json | --template "
                  "llama2|llama3|chatml|phi3|gemma)\n"
                  "            [--bos TEXT] [--eos TEXT] [--system TEXT] [--stop TEXT]... [--max-tokens N]\n"
                  "            [--temperature T] [--seed S] USER_MESSAGE\n");
  return 2;
}

/* A whole decimal number in [0, max] (no sign, nothing after it), into *out. */
static int parse_count(const char *text, unsigned long long max, unsigned long long *out) {
  char *end;
  errno = 0;
  if (text[0] < '0' || text[0] > '9') return 0;
  unsigned long long value = strtoull(text, &end, 10);
  if (errno || *end || value > max) return 0;
  *out = value;
  return 1;
}

/* Returns 0, or the exit code after a message. */
static int parse_args(int argc, char **argv, chat_args_t *args) {
  memset(args, 0, sizeof *args);
  args->max_tokens = 64;
  const char *positional[3];
  int num_positional = 0;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
    int takes_value = arg[0] == '-' && arg[1] == '-';
    if (takes_value && !value) return usage("an option without its value");
    if (!strcmp(arg, "--config")) args->config = value;
    else if (!strcmp(arg, "--template")) args->family = value;
    else if (!strcmp(arg, "--bos")) args->bos = value;
    else if (!strcmp(arg, "--eos")) args->eos = value;
    else if (!strcmp(arg, "--system")) args->system = value;
    else if (!strcmp(arg, "--max-tokens")) {
      unsigned long long count;
      if (!parse_count(value, 1u << 20, &count) || count == 0) return usage("--max-tokens: expected a number from 1 to 1048576");
      args->max_tokens = (uint32_t)count;
    } else if (!strcmp(arg, "--temperature")) {
      char *end;
      errno = 0;
      args->temperature = strtof(value, &end);
      if (errno || *end || end == value || !(args->temperature >= 0.0f && args->temperature <= 100.0f))
        return usage("--temperature: expected a number from 0 (greedy) to 100");
    } else if (!strcmp(arg, "--seed")) {
      unsigned long long seed;
      if (!parse_count(value, ~0ull, &seed)) return usage("--seed: expected a non-negative whole number");
      args->seed = seed;
    }
    else if (!strcmp(arg, "--stop")) {
      if (args->num_stops == MAX_STOPS) return usage("too many --stop strings");
      args->stops[args->num_stops++] = value;
    } else if (takes_value) {
      fprintf(stderr, "chat: unknown option %s\n", arg);
      return usage(NULL);
    } else if (num_positional == 3) {
      return usage("too many arguments");
    } else {
      positional[num_positional++] = arg;
      continue;
    }
    ++i; /* the option's value */
  }
  if (num_positional != 3) return usage("needs MODEL.weights, tokenizer.json and USER_MESSAGE");
  if (!args->config == !args->family) return usage("needs one of --config and --template");
  args->weights = positional[0];
  args->tokenizer = positional[1];
  args->user = positional[2];
  return 0;
}

static edge_status_t open_template(const chat_args_t *args, edge_chat_template_t **out) {
  if (args->config) return edge_chat_template_open(args->config, out);
  edge_chat_format_t format;
  if (!parse_family(args->family, &format)) return NULL; /* checked by the caller */
  return edge_chat_template_create(format, args->bos, args->eos, out);
}

/* Renders and encodes the conversation. The template writes the special tokens (bos)
 * itself, so encoding adds none. */
static edge_status_t encode_prompt(const chat_args_t *args, const edge_chat_template_t *chat_template,
                                   const edge_tokenizer_t *tokenizer, int32_t **out_ids, uint32_t *out_count) {
  edge_chat_message_t messages[2];
  uint32_t count = 0;
  if (args->system) messages[count++] = (edge_chat_message_t){"system", args->system};
  messages[count++] = (edge_chat_message_t){"user", args->user};
  char *text = NULL;
  size_t size = 0;
  edge_status_t status = edge_chat_template_apply(chat_template, messages, count, 1, &text, &size);
  if (!status) status = edge_tokenizer_encode(tokenizer, text, size, 0, out_ids, out_count);
  edge_free(text);
  return status;
}

int main(int argc, char **argv) {
  chat_args_t args;
  int exit_code = parse_args(argc, argv, &args);
  if (exit_code) return exit_code;
  edge_chat_format_t format;
  if (args.family && !parse_family(args.family, &format)) return usage("unknown --template family");

  edge_weights_t *weights = NULL;
  edge_tokenizer_t *tokenizer = NULL;
  edge_chat_template_t *chat_template = NULL;
  edge_lm_t *lm = NULL;
  edge_lm_session_t *session = NULL;
  stream_t stream = {0};
  int32_t *prompt = NULL;
  uint32_t prompt_len = 0;
  exit_code = 1;
  if (report(edge_weights_open(args.weights, 0, &weights)) || report(edge_tokenizer_open(args.tokenizer, &tokenizer)) ||
      report(open_template(&args, &chat_template)) ||
      report(encode_prompt(&args, chat_template, tokenizer, &prompt, &prompt_len)))
    goto done;

  const char *end_of_turn = edge_chat_template_end_of_turn(chat_template);
  int32_t end_of_turn_id = -1;
  if (end_of_turn && *end_of_turn) {
    args.stops[args.num_stops++] = end_of_turn;
    end_of_turn_id = edge_tokenizer_token_id(tokenizer, end_of_turn);
  }
  /* The reply is shown as a text of its own (the prompt is not printed), so a leading
   * SentencePiece space is dropped, as decode drops it. */
  if (report(edge_detokenizer_create(tokenizer, 0, &stream.detokenizer)) ||
      report(edge_stop_filter_create(args.stops, args.num_stops, &stream.filter)) ||
      report(edge_lm_create(llm_model(), weights, NULL, &lm)) || report(edge_lm_session_create(lm, &session)))
    goto done;

  edge_lm_generate_params_t params = {0};
  params.sampling.temperature = args.temperature;
  params.sampling.seed = args.seed;
  params.max_tokens = args.max_tokens;
  params.stop_ids = &end_of_turn_id;
  params.num_stop_ids = end_of_turn_id >= 0;
  params.on_token = on_token;
  params.user = &stream;
  if (report(edge_lm_generate(session, prompt, prompt_len, &params))) goto done;
  if (report(stream.error)) goto done;
  edge_lm_finish_t finish = edge_lm_session_finish(session);
  if (finish == EDGE_LM_FINISH_ERROR) {
    fprintf(stderr, "chat: generation failed: %s\n", edge_status_message(edge_lm_session_error(session)));
    goto done;
  }
  if (report(finish_stream(&stream))) goto done;

  const int32_t *ids = NULL;
  uint32_t count = 0;
  edge_lm_session_tokens(session, &ids, &count);
  print_ids("prompt_ids", ids, prompt_len);
  print_ids("generated_ids", ids + prompt_len, count - prompt_len);
  fprintf(stderr, "finish: %s\n", finish_name(finish, stream.stopped));
  exit_code = 0;

done:
  edge_lm_session_release(session);
  edge_lm_release(lm);
  edge_stop_filter_release(stream.filter);
  edge_detokenizer_release(stream.detokenizer);
  edge_chat_template_release(chat_template);
  edge_tokenizer_release(tokenizer);
  edge_weights_release(weights);
  edge_free(prompt);
  return exit_code;
}
