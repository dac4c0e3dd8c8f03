//===- Patterns.h - onnx → linalg patterns, by op family -------*- C++ -*-===//
#ifndef EDGE_COMPILER_CONVERSION_ONNXTOLINALG_PATTERNS_H
#define EDGE_COMPILER_CONVERSION_ONNXTOLINALG_PATTERNS_H

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

namespace edge {

void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateMatMulPatterns(mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
void populateShapePatterns(mlir::RewritePatternSet &patterns);
void populateIndexingPatterns(mlir::RewritePatternSet &patterns);
void populateGeneratorPatterns(mlir::RewritePatternSet &patterns);

// Helpers shared by the families.

/// The extent of dim `dim` of `tensor`: a constant when static, else `tensor.dim`.
mlir::OpFoldResult getDim(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor,
                          int64_t dim);

/// `tensor.empty` of `type` whose dynamic dims are `sizes[i]` (one entry per dim).
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                        llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// `tensor.empty` filled with `value` (e.g. 0 for an accumulator).
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                         llvm::ArrayRef<mlir::OpFoldResult> sizes, mlir::TypedAttr value);

/// Indexing map reading `operand` inside a loop nest over `resultRank` dims, with numpy
/// broadcasting: operand dims align to the trailing result dims, and static size-1 dims
/// that face a non-1 result dim read index 0.
mlir::AffineMap getBroadcastMap(mlir::MLIRContext *context, mlir::RankedTensorType operand,
                                mlir::RankedTensorType result, unsigned numLoops,
                                unsigned firstLoop = 0);

/// Result sizes of a numpy broadcast of `operands` to `resultType` (dynamic dims come
/// from the first operand whose facing dim is not a static 1).
llvm::SmallVector<mlir::OpFoldResult> getBroadcastSizes(mlir::OpBuilder &b, mlir::Location loc,
                                                        mlir::RankedTensorType resultType,
                                                        mlir::ValueRange operands);

/// Converts a scalar between int/float/bool element types (ONNX Cast semantics).
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                          mlir::Type to);

/// Element `i` of a 1-D integer tensor as an index value.
mlir::Value extractIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor, int64_t i);

/// An integer index into a dim of `size` entries as an index value: a negative one wraps
/// once, then it is clamped to [0, size - 1] so that no read leaves the tensor.
mlir::Value wrapAndClampIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value index, mlir::Value size);

/// A tensor of `type` and `sizes` whose element at index i is source[c], where c[d] =
/// coordinate(d, i[d]): one linalg.generic reading `source` by computed index (Tile,
/// reversed Slice).
mlir::Value createIndexedCopy(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type, llvm::ArrayRef<mlir::OpFoldResult> sizes,
    mlir::Value source, llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, int64_t, mlir::Value)> coordinate);

/// The extents of every dim of `tensor`.
llvm::SmallVector<mlir::OpFoldResult> getDims(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor);

/// Normalizes a possibly negative ONNX axis.
inline int64_t normalizeAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

} // namespace edge

#endif // EDGE_COMPILER_CONVERSION_ONNXTOLINALG_PATTERNS_H
