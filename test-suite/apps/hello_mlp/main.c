/*
 * hello_mlp: the smallest app that links a model compiled by edgec.
 *
 *   edgec compile mlp.onnx -o model [--target aarch64-linux-gnu]
 *   cc main.c -Imodel -I<edgec>/runtime/include model/libmlp.a libedgert.a -lm -o hello_mlp
 *   ./hello_mlp model/mlp.weights
 *
 * or, in CMake, edgec_add_model() (tools/cmake/EdgecModel.cmake; see CMakeLists.txt here).
 *
 * Runs a batch of 2 rows of x[i] = sin(0.1 i) and prints y, one value per line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "edge/edgert.h"
#include "mlp.h"

static int check(edge_status_t status) {
  if (!status) return 0;
  fprintf(stderr, "hello_mlp: %s: %s\n", edge_status_code_name(edge_status_code(status)),
          edge_status_message(status));
  edge_status_free(status);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: hello_mlp MODEL.weights\n");
    return 1;
  }
  edge_weights_t *weights = NULL;
  edge_graph_t *graph = NULL;
  if (check(edge_weights_open(argv[1], 0, &weights))) return 1;
  if (check(edge_graph_create(mlp_model(), weights, &graph))) return 1;

  enum { BATCH = 2, IN = 64 };
  float x[BATCH * IN];
  for (int i = 0; i < BATCH * IN; ++i) x[i] = sinf(0.1f * (float)i);
  edge_tensor_t input = {x, EDGE_DTYPE_F32, 2, {BATCH, IN}};

  edge_tensor_t output;
  if (check(edge_graph_output_shape(graph, &input, 0, &output))) return 1;
  output.data = malloc(sizeof(float) * (size_t)edge_tensor_element_count(&output));
  if (check(edge_graph_run(graph, &input, &output))) return 1;

  const float *y = output.data;
  for (int64_t i = 0; i < edge_tensor_element_count(&output); ++i) printf("%.7f\n", y[i]);
  free(output.data);
  edge_graph_release(graph);
  edge_weights_release(weights);
  return 0;
}
