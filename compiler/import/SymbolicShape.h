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

/// A dim, or an element of a small integer tensor the importer computes shapes with (so a
/// static value may be negative there: -1 in a Reshape target, INT64_MAX as a Slice end).
struct SymDim {
  enum Kind : uint8_t { Static, Symbol, Unknown };
  Kind kind = Unknown;
  int64_t value = 0; ///< the value when Static
  int symbol = -1;   ///< index of a named symbol when Symbol

  static SymDim fixed(int64_t v) { return {Static, v, -1}; }
  static SymDim named(int s) { return {Symbol, 0, s}; }
  static SymDim unknown() { return {Unknown, 0, -1}; }
  bool isStatic() const { return kind == Static; }
  bool isSymbol() const { return kind == Symbol; }
  bool isKnown() const { return kind != Unknown; }
  bool operator==(const SymDim &o) const { return kind == o.kind && value == o.value && symbol == o.symbol; }
  bool operator!=(const SymDim &o) const { return !(*this == o); }
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

/// Result of Reshape to `target` (ONNX: 0 copies unless allowZero, -1 infers). Target
/// entries may be named dims (computed from the input shapes) or unknown.
llvm::Expected<SymShape> reshapeShape(const SymShape &input, llvm::ArrayRef<SymDim> target,
                                      bool allowZero);
llvm::Expected<SymShape> reshapeShape(const SymShape &input, llvm::ArrayRef<int64_t> target,
                                      bool allowZero);

/// Elementwise integer arithmetic on known values: exact for static operands, and the
/// identities x + 0, x - 0, x * 1, x / 1 for named dims; unknown otherwise.
enum class IntOp { Add, Sub, Mul, Div, Mod, Max, Min };
SymDim foldIntOp(IntOp op, const SymDim &a, const SymDim &b);

} // namespace edge

#endif // EDGE_COMPILER_IMPORT_SYMBOLICSHAPE_H
