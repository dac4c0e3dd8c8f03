//===- SymbolicShape.h - ONNX shapes with named dynamic dims ---*- C++ -*-===//
//
// The importer tracks every dim as static, a named symbol ("batch", "seq": from the
// graph inputs' dim_params) or unknown. Symbols are what the model ABI speaks: an output
// dim must be static or a symbol bound by an input, so the runtime can size outputs before
// a run. In the IR both symbols and unknown dims are `?`.
//
//===----------------------------------------------------------------------===//
#ifndef EDGE_COMPILER_IMPORT_SYMBOLICSHAPE_H
#define EDGE_COMPILER_IMPORT_SYMBOLICSHAPE_H

#include <cstdint>
#include <string>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

namespace edge {

struct SymDim {
  int64_t value = -1; ///< >= 0: static extent
  int symbol = -1;    ///< >= 0: index of a named symbol (when value < 0)

  static SymDim fixed(int64_t v) { return {v, -1}; }
  static SymDim named(int s) { return {-1, s}; }
  static SymDim unknown() { return {-1, -1}; }
  bool isStatic() const { return value >= 0; }
  bool isSymbol() const { return value < 0 && symbol >= 0; }
  bool operator==(const SymDim &o) const { return value == o.value && symbol == o.symbol; }
};

using SymShape = std::vector<SymDim>;

/// Renders a dim for messages: "64", "seq" or "?".
std::string describe(const SymDim &dim, llvm::ArrayRef<std::string> symbols);
std::string describe(const SymShape &shape, llvm::ArrayRef<std::string> symbols);

/// Numpy broadcasting. Two dynamic dims broadcast only if they are the same symbol, and a
/// dynamic dim never meets a static one other than 1: the generated code would otherwise
/// rely on an equality nothing checks.
llvm::Expected<SymShape> broadcastShapes(const SymShape &a, const SymShape &b,
                                         llvm::ArrayRef<std::string> symbols);

/// True if `a` and `b` are provably equal (same static value or same symbol).
bool provablyEqual(const SymDim &a, const SymDim &b);

/// Result of Reshape to `target` (ONNX: 0 copies unless allowZero, -1 infers).
llvm::Expected<SymShape> reshapeShape(const SymShape &input, llvm::ArrayRef<int64_t> target,
                                      bool allowZero);

} // namespace edge

#endif // EDGE_COMPILER_IMPORT_SYMBOLICSHAPE_H
