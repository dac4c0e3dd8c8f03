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
#include <utility>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

namespace edge {

/// A dim, or an element of a small integer tensor the importer computes shapes with (so a
/// static value may be negative there: -1 in a Reshape target, INT64_MAX as a Slice end).
/// A symbolic dim is an integer combination of named dims plus a constant ("past +
/// sequence" after a KV-cache Concat); arithmetic keeps it exact while it stays linear.
struct SymDim {
  enum Kind : uint8_t { Static, Symbolic, Unknown };
  using Term = std::pair<int, int64_t>; ///< (symbol, coefficient)

  Kind kind = Unknown;
  int64_t value = 0; ///< the value when Static; the constant term when Symbolic
  int symbol = -1;   ///< the symbol when the dim is exactly one named dim
  std::vector<Term> terms; ///< Symbolic: sorted by symbol, coefficients non-zero

  static SymDim fixed(int64_t v) { return {Static, v, -1, {}}; }
  static SymDim named(int s) { return {Symbolic, 0, s, {{s, 1}}}; }
  static SymDim unknown() { return {Unknown, 0, -1, {}}; }
  /// constant + sum of coefficient * symbol, normalized (Static when no term is left).
  static SymDim combination(int64_t constant, std::vector<Term> terms);

  bool isStatic() const { return kind == Static; }
  /// Exactly one named dim.
  bool isSymbol() const { return kind == Symbolic && symbol >= 0; }
  bool isSymbolic() const { return kind == Symbolic; }
  bool isKnown() const { return kind != Unknown; }
  bool operator==(const SymDim &o) const { return kind == o.kind && value == o.value && terms == o.terms; }
  bool operator!=(const SymDim &o) const { return !(*this == o); }
};

using SymShape = std::vector<SymDim>;

/// Renders a dim for messages: "64", "seq", "past + seq" or "?".
std::string describe(const SymDim &dim, llvm::ArrayRef<std::string> symbols);
std::string describe(const SymShape &shape, llvm::ArrayRef<std::string> symbols);

/// An equality of dims the graph relies on: input symbol `symbol` == `dim`.
using DimEquality = std::pair<int, SymDim>;

/// Numpy broadcasting. Two dynamic dims broadcast only if they are the same symbol, and a
/// dynamic dim never meets a static one other than 1: the generated code would otherwise
/// rely on an equality nothing checks. With `equalities`, a named input dim may meet a
/// different dynamic dim (attention_mask's `total_sequence` against `past + sequence`):
/// the result takes the other dim and the pair is recorded, for the runtime to check.
llvm::Expected<SymShape> broadcastShapes(const SymShape &a, const SymShape &b,
                                         llvm::ArrayRef<std::string> symbols,
                                         std::vector<DimEquality> *equalities = nullptr);

/// True if `a` and `b` are provably equal (same static value or same symbol).
bool provablyEqual(const SymDim &a, const SymDim &b);

/// Result of Reshape to `target` (ONNX: 0 copies unless allowZero, -1 infers). Target
/// entries may be named dims (computed from the input shapes) or unknown. A static target
/// of an input with one named dynamic dim fixes that dim: no whole value is an error, else
/// the value is recorded in `equalities` (given) for the runtime to check.
llvm::Expected<SymShape> reshapeShape(const SymShape &input, llvm::ArrayRef<SymDim> target,
                                      bool allowZero, std::vector<DimEquality> *equalities = nullptr);
llvm::Expected<SymShape> reshapeShape(const SymShape &input, llvm::ArrayRef<int64_t> target,
                                      bool allowZero, std::vector<DimEquality> *equalities = nullptr);

/// Elementwise integer arithmetic on known values: exact for static operands and for
/// linear combinations of named dims (sums, differences, products and exact quotients by
/// constants); unknown otherwise.
enum class IntOp { Add, Sub, Mul, Div, Mod, Max, Min };
SymDim foldIntOp(IntOp op, const SymDim &a, const SymDim &b);

} // namespace edge

#endif // EDGE_COMPILER_IMPORT_SYMBOLICSHAPE_H
