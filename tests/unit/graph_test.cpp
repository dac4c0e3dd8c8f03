// The graph API against a hand-written descriptor: shape binding through symbolic dims,
// validation before any code runs, and the memref descriptors the generated code receives.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "codegen/artifacts/Artifacts.h"
#include "memory_weight_source.h"
#include "edge/edgert.h"

namespace {

// y[batch, 3] = x[batch, 3] * 2, written the way generated code reads its arguments.
int32_t doubleRun(void *const *args) {
  const int64_t *x = static_cast<const int64_t *>(args[1]);
  const int64_t *y = static_cast<const int64_t *>(args[2]);
  const float *in = reinterpret_cast<const float *>(x[1]);
  float *out = reinterpret_cast<float *>(y[1]);
  int64_t rows = x[3], cols = x[4];
  EXPECT_EQ(x[5], cols) << "row stride";
  EXPECT_EQ(x[6], 1) << "inner stride";
  for (int64_t i = 0; i < rows * cols; ++i) out[i] = 2 * in[i];
  return 0;
}

const int64_t kDims[] = {-1, 3};
const edge_tensor_desc_t kInput = {"x", EDGE_DTYPE_F32, 2, kDims};
const edge_tensor_desc_t kOutput = {"y", EDGE_DTYPE_F32, 2, kDims};
const char *const kSymbols[] = {"batch"};

class GraphTest : public ::testing::Test {
protected:
  void SetUp() override {
    // One file per test: ctest runs the tests of this fixture in parallel processes.
    std::string path = ::testing::TempDir() + "/graph_test." +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".weights";
    // No tensors: an empty but valid file.
    edge::testing::MemoryWeightSource source;
    std::vector<edge::WeightRecord> records;
    ASSERT_TRUE(static_cast<bool>(edge::writeWeightsFile(path, records, 0, source)));
    ASSERT_EQ(edge_weights_open(path.c_str(), 0, &weights), nullptr);
    desc = {EDGE_MODEL_ABI_VERSION, EDGE_MODEL_KIND_GRAPH, "double", "test", 1, 1, &kInput, &kOutput, 1, 0,
            kSymbols, nullptr, edge_weights_fingerprint(weights), 0, doubleRun};
  }
  void TearDown() override { edge_weights_release(weights); }

  edge_status_code_t create(edge_graph_t **graph) {
    edge_status_t status = edge_graph_create(&desc, weights, graph);
    edge_status_code_t code = edge_status_code(status);
    edge_status_free(status);
    return code;
  }

  edge_weights_t *weights = nullptr;
  edge_model_desc_t desc;
};

edge_tensor_t tensor(float *data, int64_t rows, int64_t cols) {
  edge_tensor_t t = {data, EDGE_DTYPE_F32, 2, {rows, cols}};
  return t;
}

TEST_F(GraphTest, RunsWithShapesFromSymbols) {
  edge_graph_t *graph = nullptr;
  ASSERT_EQ(create(&graph), EDGE_STATUS_OK);
  float in[6] = {1, 2, 3, 4, 5, 6}, out[6] = {};
  edge_tensor_t x = tensor(in, 2, 3), shape;
  ASSERT_EQ(edge_graph_output_shape(graph, &x, 0, &shape), nullptr);
  EXPECT_EQ(shape.dims[0], 2);
  EXPECT_EQ(shape.dims[1], 3);
  edge_tensor_t y = tensor(out, 2, 3);
  ASSERT_EQ(edge_graph_run(graph, &x, &y), nullptr);
  EXPECT_EQ(out[5], 12.0f);
  edge_graph_release(graph);
}

// An output dim derived from input dims (a KV cache's past + new length).
TEST_F(GraphTest, DerivedSymbolsSizeOutputs) {
  static const int64_t derivedDims[] = {-2, 3};
  static const edge_tensor_desc_t derivedOutput = {"y", EDGE_DTYPE_F32, 2, derivedDims};
  static const char *const symbols[] = {"batch", "total"};
  static const edge_dim_term_t terms[] = {{0, 2}};
  static const edge_dim_expr_t exprs[] = {{0, 0, 0, nullptr}, {1, 1, 0, terms}}; // total = 2 * batch + 1
  desc.outputs = &derivedOutput;
  desc.num_symbols = 2;
  desc.symbols = symbols;
  desc.symbol_exprs = exprs;
  edge_graph_t *graph = nullptr;
  ASSERT_EQ(create(&graph), EDGE_STATUS_OK);
  float in[6] = {};
  edge_tensor_t x = tensor(in, 2, 3), shape;
  ASSERT_EQ(edge_graph_output_shape(graph, &x, 0, &shape), nullptr);
  EXPECT_EQ(shape.dims[0], 5);
  EXPECT_EQ(shape.dims[1], 3);
  edge_graph_release(graph);
}

// An input dim the model ties to other dims (an attention mask as long as past +
// sequence) is checked against them before anything runs.
TEST_F(GraphTest, TiedInputDimIsChecked) {
  static const int64_t maskDims[] = {-2};
  static const edge_tensor_desc_t inputs[] = {{"x", EDGE_DTYPE_F32, 2, kDims}, {"mask", EDGE_DTYPE_F32, 1, maskDims}};
  static const char *const symbols[] = {"batch", "total"};
  static const edge_dim_term_t terms[] = {{0, 1}};
  static const edge_dim_expr_t exprs[] = {{0, 0, 0, nullptr}, {4, 1, 0, terms}}; // total = batch + 4
  desc.inputs = inputs;
  desc.num_inputs = 2;
  desc.num_symbols = 2;
  desc.symbols = symbols;
  desc.symbol_exprs = exprs;
  edge_graph_t *graph = nullptr;
  ASSERT_EQ(create(&graph), EDGE_STATUS_OK);
  float in[6] = {}, mask[7] = {};
  edge_tensor_t args[2] = {tensor(in, 2, 3), {mask, EDGE_DTYPE_F32, 1, {6}}}, shape;
  EXPECT_EQ(edge_graph_output_shape(graph, args, 0, &shape), nullptr);
  args[1].dims[0] = 7;
  edge_status_t status = edge_graph_output_shape(graph, args, 0, &shape);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(edge_status_message(status), "input dim 'total' is 7; the other inputs' dims make it 6");
  edge_status_free(status);
  edge_graph_release(graph);
}

// A symbol the graph works for one size of only (EDGE_DIM_EXPR_FIXED: it reshapes
// [batch, 3] into a static shape) is checked before anything runs; so are derived dims
// whose sum would overflow.
TEST_F(GraphTest, FixedAndOverflowingSymbolsAreChecked) {
  static const edge_dim_expr_t fixed[] = {{2, 0, EDGE_DIM_EXPR_FIXED, nullptr}};
  desc.symbol_exprs = fixed;
  edge_graph_t *graph = nullptr;
  ASSERT_EQ(create(&graph), EDGE_STATUS_OK);
  float in[9] = {};
  edge_tensor_t x = tensor(in, 2, 3), shape;
  EXPECT_EQ(edge_graph_output_shape(graph, &x, 0, &shape), nullptr);
  x.dims[0] = 3;
  edge_status_t status = edge_graph_output_shape(graph, &x, 0, &shape);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(edge_status_message(status), "input dim 'batch' is 3; the model's graph works only for 2");
  edge_status_free(status);
  edge_graph_release(graph);

  static const int64_t maskDims[] = {-2};
  static const edge_tensor_desc_t inputs[] = {{"x", EDGE_DTYPE_F32, 2, kDims}, {"mask", EDGE_DTYPE_F32, 1, maskDims}};
  static const char *const symbols[] = {"batch", "total"};
  static const edge_dim_term_t terms[] = {{0, INT64_MAX / 2}};
  static const edge_dim_expr_t exprs[] = {{0, 0, 0, nullptr}, {0, 1, 0, terms}}; // total = batch * 2^62
  desc.inputs = inputs;
  desc.num_inputs = 2;
  desc.num_symbols = 2;
  desc.symbols = symbols;
  desc.symbol_exprs = exprs;
  ASSERT_EQ(create(&graph), EDGE_STATUS_OK);
  float mask[1] = {};
  edge_tensor_t args[2] = {tensor(in, 3, 3), {mask, EDGE_DTYPE_F32, 1, {1}}};
  status = edge_graph_output_shape(graph, args, 0, &shape);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(edge_status_message(status), "dim 'total' of the inputs' shapes does not fit in 64 bits");
  edge_status_free(status);
  edge_graph_release(graph);
}

// A derived dim that comes out negative (inputs inconsistent with the model) is an error.
TEST_F(GraphTest, NegativeDerivedSymbolIsAnError) {
  static const int64_t derivedDims[] = {-2, 3};
  static const edge_tensor_desc_t derivedOutput = {"y", EDGE_DTYPE_F32, 2, derivedDims};
  static const char *const symbols[] = {"batch", "rest"};
  static const edge_dim_term_t terms[] = {{0, 1}};
  static const edge_dim_expr_t exprs[] = {{0, 0, 0, nullptr}, {-10, 1, 0, terms}}; // rest = batch - 10
  desc.outputs = &derivedOutput;
  desc.num_symbols = 2;
  desc.symbols = symbols;
  desc.symbol_exprs = exprs;
  edge_graph_t *graph = nullptr;
  ASSERT_EQ(create(&graph), EDGE_STATUS_OK);
  float in[6] = {};
  edge_tensor_t x = tensor(in, 2, 3), shape;
  edge_status_t status = edge_graph_output_shape(graph, &x, 0, &shape);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(edge_status_message(status), "dim 'rest' of the inputs' shapes is -8");
  edge_status_free(status);
  edge_graph_release(graph);
}

TEST_F(GraphTest, RejectsBadShapesBeforeRunning) {
  edge_graph_t *graph = nullptr;
  ASSERT_EQ(create(&graph), EDGE_STATUS_OK);
  float in[8] = {}, out[8] = {};
  edge_tensor_t x = tensor(in, 2, 4), y = tensor(out, 2, 3);
  edge_status_t status = edge_graph_run(graph, &x, &y);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(edge_status_message(status), "input 'x': dim 1 is 4, expected 3");
  edge_status_free(status);

  x = tensor(in, 2, 3);
  y = tensor(out, 1, 3); // batch disagrees with the input's
  status = edge_graph_run(graph, &x, &y);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  edge_status_free(status);

  x.dtype = EDGE_DTYPE_I32;
  status = edge_graph_run(graph, &x, &y);
  EXPECT_EQ(edge_status_code(status), EDGE_STATUS_INVALID_ARGUMENT);
  edge_status_free(status);
  edge_graph_release(graph);
}

TEST_F(GraphTest, RefusesWeightsOfAnotherModel) {
  desc.weights_fingerprint ^= 1;
  edge_graph_t *graph = reinterpret_cast<edge_graph_t *>(0x1);
  EXPECT_EQ(create(&graph), EDGE_STATUS_FAILED_PRECONDITION);
  EXPECT_EQ(graph, nullptr);
}

TEST_F(GraphTest, RefusesUnknownAbiVersion) {
  desc.abi_version = EDGE_MODEL_ABI_VERSION + 1;
  edge_graph_t *graph = nullptr;
  EXPECT_EQ(create(&graph), EDGE_STATUS_FAILED_PRECONDITION);
}

// The liveness mark of runtime/base/handle.h (more handles in handle_test.cpp).
TEST_F(GraphTest, ReleasedTwiceStopsNamingTheFunction) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  edge_graph_t *graph = nullptr;
  ASSERT_EQ(create(&graph), EDGE_STATUS_OK);
  EXPECT_DEATH(
      {
        edge_graph_release(graph);
        edge_graph_release(graph);
      },
      "(edge_graph_release: |heap-use-after-free|attempting double-free)");
  edge_graph_release(graph);
}

TEST(StatusTest, NullIsOk) {
  EXPECT_EQ(edge_status_code(nullptr), EDGE_STATUS_OK);
  EXPECT_STREQ(edge_status_message(nullptr), "");
  edge_status_free(nullptr);
  EXPECT_STREQ(edge_status_code_name(EDGE_STATUS_DATA_LOSS), "DATA_LOSS");
}

} // namespace

namespace {

// Element counts never wrap: a product past int64_t (or a negative dim) is -1, which the
// graph refuses for an input before any size is computed from it.
TEST(TensorElementCount, OverflowIsMinusOne) {
  edge_tensor_t tensor{};
  tensor.rank = 2;
  tensor.dims[0] = int64_t(1) << 62;
  tensor.dims[1] = 1;
  EXPECT_EQ(edge_tensor_element_count(&tensor), int64_t(1) << 62);
  tensor.dims[1] = 64;
  EXPECT_EQ(edge_tensor_element_count(&tensor), -1);
  tensor.dims[1] = -1;
  EXPECT_EQ(edge_tensor_element_count(&tensor), -1);
  tensor.rank = 0;
  EXPECT_EQ(edge_tensor_element_count(&tensor), 1);
}

} // namespace
