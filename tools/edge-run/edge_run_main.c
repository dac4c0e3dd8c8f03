/*
 * edge-run: runs a compiled graph model on .npy inputs and writes .npy outputs.
 *
 *   edge-run WEIGHTS --input NAME=FILE.npy ... --output-dir DIR [--repeat N] [--no-verify-weights]
 *            [--vulkan-device INDEX|NAME]   (models compiled with --target vulkan)
 *   edge-run WEIGHTS --prompt-ids 1,2,3 [generation options]   (causal LMs; see generate.c)
 *   edge-run WEIGHTS --perplexity TEXT --tokenizer T [options] (causal LMs; see perplexity.c)
 *
 * It is linked against one model library by `edgec run`, which binds the model's entry
 * symbol to `edge_run_model_entry` (ld --defsym), so the same object serves every model and
 * every target (run directly on the host, under qemu-aarch64 for aarch64 builds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edge/edgert.h"
#include "generate.h"
#include "perplexity.h"
#include "npy.h"

extern const edge_model_desc_t *edge_run_model_entry(void);

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int fail(edge_status_t status) {
  fprintf(stderr, "edge-run: error: %s\n", edge_status_message(status));
  edge_status_free(status);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: edge-run WEIGHTS --input NAME=FILE.npy ... --output-dir DIR [--repeat N] [--no-verify-weights]\n");
    return 1;
  }
  const edge_model_desc_t *model = edge_run_model_entry();
  if (model->kind == EDGE_MODEL_KIND_CAUSAL_LM) {
    for (int i = 2; i < argc; ++i)
      if (strcmp(argv[i], "--perplexity") == 0) return edge_run_perplexity(model, argc, argv);
    return edge_run_generate(model, argc, argv);
  }
  const char *output_dir = ".";
  edge_graph_options_t options = {0};
  int repeat = 1;
  uint32_t weights_flags = EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS; /* --no-verify-weights: 0 */
  edge_tensor_t *inputs = calloc(model->num_inputs + 1, sizeof(edge_tensor_t));
  edge_tensor_t *outputs = calloc(model->num_outputs + 1, sizeof(edge_tensor_t));
  int *have_input = calloc(model->num_inputs + 1, sizeof(int));
  /* Also owned by the run, released at `done` whichever way it ends. */
  edge_weights_t *weights = NULL;
  edge_graph_t *graph = NULL;
  int failed = 0;
#define FAIL(result) do { failed = (result); goto done; } while (0)
  if (!inputs || !outputs || !have_input) {
    fprintf(stderr, "edge-run: error: out of memory\n");
    FAIL(1);
  }
  for (int i = 2; i < argc; ++i) {
    if (strcmp(argv[i], "--output-dir") == 0 && i + 1 < argc) {
      output_dir = argv[++i];
    } else if (strcmp(argv[i], "--no-verify-weights") == 0) {
      weights_flags = 0;
    } else if (strcmp(argv[i], "--vulkan-device") == 0 && i + 1 < argc) {
      options.vulkan_device = argv[++i];
    } else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      const char *value = argv[++i];
      char *end = NULL;
      long number = strtol(value, &end, 10);
      if (end == value || *end != '\0' || number < 1 || number > 1000000) {
        fprintf(stderr, "edge-run: error: --repeat: expected a whole number from 1 to 1000000: %s\n", value);
        FAIL(1);
      }
      repeat = (int)number;
    } else if (strcmp(argv[i], "--input") == 0 && i + 1 < argc) {
      char *spec = argv[++i];
      char *eq = strchr(spec, '=');
      if (!eq) {
        fprintf(stderr, "edge-run: error: --input %s: expected NAME=FILE.npy\n", spec);
        FAIL(1);
      }
      *eq = '\0';
      uint32_t index = model->num_inputs;
      for (uint32_t k = 0; k < model->num_inputs; ++k)
        if (strcmp(model->inputs[k].name, spec) == 0) index = k;
      if (index == model->num_inputs) {
        fprintf(stderr, "edge-run: error: --input %s: model '%s' has no such input\n", spec, model->name);
        FAIL(1);
      }
      free(inputs[index].data); /* an input given again replaces the last */
      inputs[index].data = NULL;
      edge_status_t status = npy_read(eq + 1, &inputs[index]);
      if (status) FAIL(fail(status));
      have_input[index] = 1;
    } else {
      fprintf(stderr, "edge-run: error: unknown argument '%s'\n", argv[i]);
      FAIL(1);
    }
  }
  for (uint32_t k = 0; k < model->num_inputs; ++k)
    if (!have_input[k]) {
      fprintf(stderr, "edge-run: error: missing --input %s=FILE.npy\n", model->inputs[k].name);
      FAIL(1);
    }

  edge_status_t status = edge_weights_open(argv[1], weights_flags, &weights);
  if (!status) status = edge_graph_create_with_options(model, weights, &options, &graph);
  for (uint32_t k = 0; !status && k < model->num_outputs; ++k) {
    status = edge_graph_output_shape(graph, inputs, k, &outputs[k]);
    if (!status) {
      size_t bytes = (size_t)edge_tensor_element_count(&outputs[k]) * edge_dtype_size(outputs[k].dtype);
      outputs[k].data = calloc(1, bytes ? bytes : 1);
      if (!outputs[k].data) status = edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "output '%s': out of memory",
                                                      model->outputs[k].name);
    }
  }
  if (status) FAIL(fail(status));

  double best = 1e30, total = 0;
  for (int r = 0; r < repeat; ++r) {
    double start = now_ms();
    status = edge_graph_run(graph, inputs, outputs);
    double elapsed = now_ms() - start;
    if (status) FAIL(fail(status));
    total += elapsed;
    if (elapsed < best) best = elapsed;
  }
  for (uint32_t k = 0; k < model->num_outputs; ++k) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.npy", output_dir, model->outputs[k].name);
    status = npy_write(path, &outputs[k]);
    if (status) FAIL(fail(status));
    printf("output %s: [", model->outputs[k].name);
    for (uint32_t d = 0; d < outputs[k].rank; ++d)
      printf("%s%lld", d ? ", " : "", (long long)outputs[k].dims[d]);
    printf("] -> %s\n", path);
  }
  printf("run: %d iteration(s), best %.3f ms, mean %.3f ms (%s on %s)\n", repeat, best, total / repeat,
         model->target, edge_graph_device_name(graph));
done:
#undef FAIL
  edge_graph_release(graph);
  edge_weights_release(weights);
  for (uint32_t k = 0; inputs && k < model->num_inputs; ++k) free(inputs[k].data);
  for (uint32_t k = 0; outputs && k < model->num_outputs; ++k) free(outputs[k].data);
  free(inputs);
  free(outputs);
  free(have_input);
  return failed;
}
