//===- Pipelines.cpp - pipeline pieces the codegen targets share ----------===//
#include "codegen/common/Pipelines.h"
#include "codegen/common/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/RequestCWrappers.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace edge {

void addBufferizePasses(OpPassManager &pm) {
  // C wrappers for the functions there are now: the entry (NAME_run calls it). Functions
  // made later (repeated layers, math helpers) are called directly; the kernel and
  // runtime declarations request their own.
  pm.addNestedPass<func::FuncOp>(LLVM::createLLVMRequestCWrappersPass());
  pm.addPass(createBindWeightsPass());
  pm.addPass(createOutputsToDestinationsPass());
  pm.addPass(createCanonicalizerPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.bufferAlignment = 64;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass()); // copies of a tile onto itself, once CSE merged the views
}

void addLowerToLLVMPasses(OpPassManager &pm) {
  pm.addPass(createConvertMathToFuncs());
  {
    OpPassManager &func = pm.nest<func::FuncOp>();
    func.addPass(createStridedCopiesToLinalgPass());
    func.addPass(createConvertLinalgToLoopsPass());
    func.addPass(createApproximateMathPass());
    func.addPass(createConvertVectorToSCFPass(VectorTransferToSCFOptions().enableFullUnroll()));
    func.addPass(vector::createLowerVectorMultiReductionPass());
    func.addPass(createLowerAffinePass());
    func.addPass(createSCFToControlFlowPass());
    func.addPass(createCanonicalizerPass());
    func.addPass(createCSEPass());
  }
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  ConvertVectorToLLVMPassOptions vectorOptions;
  // Contractions as outer products: one FMA per weight vector, no horizontal reduction.
  vectorOptions.vectorContractLowering = vector::VectorContractLowering::OuterProduct;
  vectorOptions.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorOptions));
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createBindRuntimeImportsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

} // namespace edge
