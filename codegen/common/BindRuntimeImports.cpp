//===- BindRuntimeImports.cpp - runtime calls through the run's import table -===//
//
// Generated code never names a runtime symbol: the entry gets the run's import table
// (edge_model_imports_t, edge/model_abi.h) as its last argument, and every call of a
// runtime function or of the allocator becomes a load of the callback from that table
// and an indirect call with the table's context first. So a model links against nothing
// but its own code, and a backend keeps its per-run state in the context instead of
// globals or thread-locals. The ukernels linked into the model later (the quantized
// matmul) are called directly, with the table as their last argument: they reach the
// backend's threads through its parallel_for.
//
//===----------------------------------------------------------------------===//
#include "codegen/common/Passes.h"
#include "edge/codegen_abi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace edge {
#define GEN_PASS_DEF_BINDRUNTIMEIMPORTSPASS
#include "codegen/common/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

/// How a call of `symbol` becomes a call of table slot `slot`: the context first, then
/// (for allocations without one) an alignment, then the call's own operands. Slot
/// kPassTable: the call stays direct and gets the table as its last operand.
struct ImportRule {
  llvm::StringLiteral symbol;
  unsigned slot;
  bool addAlignment; ///< malloc-like: alloc(context, 0, bytes)
};

constexpr unsigned kPassTable = ~0u;

constexpr ImportRule kRules[] = {
    {"malloc", EDGE_IMPORT_ALLOC, true},
    {"_mlir_memref_to_llvm_alloc", EDGE_IMPORT_ALLOC, true},
    {"aligned_alloc", EDGE_IMPORT_ALLOC, false},
    {"_mlir_memref_to_llvm_aligned_alloc", EDGE_IMPORT_ALLOC, false},
    {"free", EDGE_IMPORT_FREE, false},
    {"_mlir_memref_to_llvm_free", EDGE_IMPORT_FREE, false},
    {"_mlir_ciface_edge_rt_paged_attention", EDGE_IMPORT_PAGED_ATTENTION, false},
    {"_mlir_ciface_edge_vk_dispatch", EDGE_IMPORT_VK_DISPATCH, false},
    {"_mlir_ciface_edge_uk_qmatmul", kPassTable, false},      // runtime/ukernels/qmatmul.h
    {"_mlir_ciface_edge_uk_panel_matmul", kPassTable, false}, // runtime/ukernels/panel_matmul.h
};

const ImportRule *ruleFor(llvm::StringRef symbol) {
  for (const ImportRule &rule : kRules)
    if (symbol == rule.symbol) return &rule;
  return nullptr;
}

/// Appends a `!llvm.ptr` parameter to `func` (its type, its entry block, its argument
/// attributes when it has some).
void appendPointerArgument(LLVM::LLVMFuncOp func) {
  auto ptr = LLVM::LLVMPointerType::get(func.getContext());
  LLVM::LLVMFunctionType type = func.getFunctionType();
  SmallVector<Type> params(type.getParams());
  params.push_back(ptr);
  func.setFunctionType(LLVM::LLVMFunctionType::get(type.getReturnType(), params, type.isVarArg()));
  func.getBody().front().addArgument(ptr, func.getLoc());
  if (ArrayAttr attrs = func.getArgAttrsAttr()) {
    SmallVector<Attribute> extended(attrs.begin(), attrs.end());
    extended.push_back(DictionaryAttr::get(func.getContext()));
    func.setArgAttrsAttr(ArrayAttr::get(func.getContext(), extended));
  }
}

struct BindRuntimeImportsPass : impl::BindRuntimeImportsPassBase<BindRuntimeImportsPass> {
  using BindRuntimeImportsPassBase::BindRuntimeImportsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto entry = module.lookupSymbol<LLVM::LLVMFuncOp>(entryName);
    auto wrapper = module.lookupSymbol<LLVM::LLVMFuncOp>("_mlir_ciface_" + entryName);
    if (!entry || entry.isExternal() || !wrapper || wrapper.isExternal()) {
      module.emitError() << "edge-bind-runtime-imports: no llvm.func @" << entryName << " with its C wrapper";
      return signalPassFailure();
    }

    // The functions that need the table: the entry, its wrapper, every function that
    // calls an import (such as the C-interface wrapper MLIR makes around a declaration
    // with llvm.emit_c_interface), and their callers up to the entry.
    llvm::SetVector<LLVM::LLVMFuncOp> needing;
    needing.insert(wrapper);
    needing.insert(entry);
    module.walk([&](LLVM::CallOp call) {
      std::optional<llvm::StringRef> callee = call.getCallee();
      if (callee && ruleFor(*callee)) needing.insert(call->getParentOfType<LLVM::LLVMFuncOp>());
    });
    SymbolTableCollection symbols;
    SymbolUserMap users(symbols, module);
    for (size_t i = 0; i < needing.size(); ++i) {
      LLVM::LLVMFuncOp func = needing[i];
      if (func == wrapper) continue; // called from outside: NAME_run passes the table
      bool called = false;
      for (Operation *user : users.getUsers(func)) {
        auto call = dyn_cast<LLVM::CallOp>(user);
        if (!call) {
          user->emitError() << "edge-bind-runtime-imports: @" << func.getName()
                            << " calls the runtime and is used other than by a direct call";
          return signalPassFailure();
        }
        needing.insert(call->getParentOfType<LLVM::LLVMFuncOp>());
        called = true;
      }
      if (!called && func != entry) {
        func.emitError() << "edge-bind-runtime-imports: @" << func.getName()
                         << " calls the runtime but is not reached from @" << entryName;
        return signalPassFailure();
      }
    }
    for (LLVM::LLVMFuncOp func : needing) appendPointerArgument(func);
    // Each call of such a function passes its caller's table on.
    for (LLVM::LLVMFuncOp func : needing)
      for (Operation *user : users.getUsers(func)) {
        auto call = cast<LLVM::CallOp>(user);
        auto caller = call->getParentOfType<LLVM::LLVMFuncOp>();
        SmallVector<Value> operands(call.getArgOperands());
        operands.push_back(caller.getArgument(caller.getNumArguments() - 1));
        OpBuilder builder(call);
        auto replacement = LLVM::CallOp::create(builder, call.getLoc(), func, operands);
        call->replaceAllUsesWith(replacement);
        call->erase();
      }

    MLIRContext *context = module.getContext();
    auto ptr = LLVM::LLVMPointerType::get(context);
    auto i64 = IntegerType::get(context, 64);
    llvm::SetVector<llvm::StringRef> bound;
    llvm::SmallPtrSet<Operation *, 2> tabled; // declarations given the table parameter
    module.walk([&](LLVM::CallOp call) {
      std::optional<llvm::StringRef> callee = call.getCallee();
      const ImportRule *rule = callee ? ruleFor(*callee) : nullptr;
      if (!rule) return;
      auto caller = call->getParentOfType<LLVM::LLVMFuncOp>();
      Value table = caller.getArgument(caller.getNumArguments() - 1);
      OpBuilder builder(call);
      Location loc = call.getLoc();
      if (rule->slot == kPassTable) {
        auto declaration = module.lookupSymbol<LLVM::LLVMFuncOp>(*callee);
        if (!tabled.contains(declaration.getOperation())) {
          LLVM::LLVMFunctionType type = declaration.getFunctionType();
          SmallVector<Type> params(type.getParams());
          params.push_back(ptr);
          declaration.setFunctionType(LLVM::LLVMFunctionType::get(type.getReturnType(), params, type.isVarArg()));
          tabled.insert(declaration.getOperation());
        }
        SmallVector<Value> operands(call.getArgOperands());
        operands.push_back(table);
        auto direct = LLVM::CallOp::create(builder, loc, declaration, operands);
        call->replaceAllUsesWith(direct);
        call->erase();
        return;
      }
      Value contextValue = LLVM::LoadOp::create(builder, loc, ptr, table);
      Value slot = LLVM::GEPOp::create(builder, loc, ptr, ptr, table, ArrayRef<LLVM::GEPArg>{int32_t(rule->slot)});
      Value callback = LLVM::LoadOp::create(builder, loc, ptr, slot);
      SmallVector<Value> operands = {callback, contextValue};
      SmallVector<Type> params = {ptr};
      if (rule->addAlignment) {
        operands.push_back(LLVM::ConstantOp::create(builder, loc, i64, builder.getI64IntegerAttr(0)));
        params.push_back(i64);
      }
      for (Value operand : call.getArgOperands()) {
        operands.push_back(operand);
        params.push_back(operand.getType());
      }
      Type resultType = call.getNumResults() ? call.getResult().getType() : LLVM::LLVMVoidType::get(context);
      auto indirect = LLVM::CallOp::create(builder, loc, LLVM::LLVMFunctionType::get(resultType, params), operands);
      call->replaceAllUsesWith(indirect);
      call->erase();
      bound.insert(rule->symbol);
    });
    // The declarations are unused now; nothing of the runtime is left to link.
    for (llvm::StringRef symbol : bound)
      if (auto declaration = module.lookupSymbol<LLVM::LLVMFuncOp>(symbol);
          declaration && declaration.isExternal() && declaration.symbolKnownUseEmpty(module))
        declaration.erase();
  }
};

} // namespace
} // namespace edge
