//===- ModelDescriptor.cpp - the model ABI in generated code --------------===//
//
// Mirrors edge_model_desc_t and edge_tensor_desc_t of runtime/include/edge/model_abi.h
// field by field; change both together and bump EDGE_MODEL_ABI_VERSION.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/ModelDescriptor.h"

#include "edge/model_abi.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"

namespace edge {

namespace {

struct DescriptorBuilder {
  llvm::Module &module;
  llvm::LLVMContext &context = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(context);
  llvm::Type *i64 = llvm::Type::getInt64Ty(context);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(context);
  std::string prefix;

  llvm::Constant *global(llvm::Constant *init, const llvm::Twine &name) {
    auto *var = new llvm::GlobalVariable(module, init->getType(), /*isConstant=*/true,
                                         llvm::GlobalValue::PrivateLinkage, init, prefix + name);
    var->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return var;
  }
  llvm::Constant *string(llvm::StringRef text, const llvm::Twine &name) {
    return global(llvm::ConstantDataArray::getString(context, text), name);
  }

  /// edge_tensor_desc_t[]: { name, dtype, rank, dims }.
  llvm::Constant *tensors(const std::vector<TensorInterface> &list, llvm::StringRef kind) {
    auto *type = llvm::StructType::get(context, {ptr, i32, i32, ptr});
    std::vector<llvm::Constant *> entries;
    for (auto [i, t] : llvm::enumerate(list)) {
      std::string tag = (kind + "." + llvm::Twine(i)).str();
      llvm::Constant *dims = global(llvm::ConstantDataArray::get(context, llvm::ArrayRef<int64_t>(t.dims)), tag + ".dims");
      entries.push_back(llvm::ConstantStruct::get(
          type, {string(t.name, tag + ".name"), llvm::ConstantInt::get(i32, t.dtype),
                 llvm::ConstantInt::get(i32, t.dims.size()), dims}));
    }
    if (entries.empty()) return llvm::ConstantPointerNull::get(ptr);
    return global(llvm::ConstantArray::get(llvm::ArrayType::get(type, entries.size()), entries), kind);
  }
};

} // namespace

llvm::Error emitModelDescriptor(llvm::Module &module, const ModelIdentity &identity, const ModelInterface &interface,
                                llvm::StringRef entry,
                                llvm::Constant *vulkanProgram) {
  std::string cifaceName = ("_mlir_ciface_" + entry).str();
  llvm::Function *ciface = module.getFunction(cifaceName);
  if (!ciface) return llvm::createStringError("generated code lacks " + cifaceName);
  DescriptorBuilder d{module};
  d.prefix = "__edge_" + identity.name + ".";
  llvm::LLVMContext &context = module.getContext();

  // NAME_run(args): the ciface takes one descriptor pointer per argument (weights, inputs,
  // outputs), preceded by a result slot when the entry still returns its outputs.
  const CausalLMInterface &lm = interface.causalLM;
  size_t numArgs = 1 + (lm.enabled ? 1 : 0) + interface.inputs.size() + interface.outputs.size();
  size_t numParams = ciface->arg_size(); // + the import table (edge-bind-runtime-imports)
  if (numParams != numArgs + 1 && numParams != numArgs + 2)
    return llvm::createStringError("entry takes " + llvm::Twine(numParams) + " arguments, the model ABI passes " +
                                   llvm::Twine(numArgs) + " and the import table");
  auto *runType = llvm::FunctionType::get(d.i32, {d.ptr}, false);
  auto *run = llvm::Function::Create(runType, llvm::GlobalValue::InternalLinkage, identity.name + "_run", module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", run));
  std::vector<llvm::Value *> callArgs;
  if (numParams == numArgs + 2) // the result descriptor, unused: outputs are written in place
    callArgs.push_back(b.CreateAlloca(llvm::ArrayType::get(d.i64, 3 + 2 * EDGE_MAX_RANK)));
  for (size_t i = 0; i <= numArgs; ++i) // the descriptors, then the import table
    callArgs.push_back(b.CreateLoad(d.ptr, b.CreateConstGEP1_64(d.ptr, run->getArg(0), i)));
  b.CreateCall(ciface, callArgs);
  b.CreateRet(llvm::ConstantInt::get(d.i32, 0));

  std::vector<llvm::Constant *> symbolNames;
  for (auto [i, s] : llvm::enumerate(interface.symbols)) symbolNames.push_back(d.string(s, "symbol." + llvm::Twine(i)));
  llvm::Constant *symbols = symbolNames.empty()
                                ? static_cast<llvm::Constant *>(llvm::ConstantPointerNull::get(d.ptr))
                                : d.global(llvm::ConstantArray::get(llvm::ArrayType::get(d.ptr, symbolNames.size()), symbolNames),
                                           "symbols");

  // edge_dim_expr_t[]: { constant, num_terms, reserved, terms }, one per symbol.
  auto *termType = llvm::StructType::get(context, {d.i64, d.i64});
  auto *exprType = llvm::StructType::get(context, {d.i64, d.i32, d.i32, d.ptr});
  std::vector<llvm::Constant *> exprs;
  for (size_t s = 0; s < interface.symbols.size(); ++s) {
    SymbolExpr expr = s < interface.symbolExprs.size() ? interface.symbolExprs[s] : SymbolExpr{};
    std::vector<llvm::Constant *> terms;
    for (auto [symbol, coefficient] : expr.terms)
      terms.push_back(llvm::ConstantStruct::get(termType, {llvm::ConstantInt::get(d.i64, symbol),
                                                           llvm::ConstantInt::get(d.i64, coefficient)}));
    llvm::Constant *termsVar =
        terms.empty() ? static_cast<llvm::Constant *>(llvm::ConstantPointerNull::get(d.ptr))
                      : d.global(llvm::ConstantArray::get(llvm::ArrayType::get(termType, terms.size()), terms),
                                 "symbol_terms." + llvm::Twine(s));
    exprs.push_back(llvm::ConstantStruct::get(exprType, {llvm::ConstantInt::get(d.i64, expr.constant),
                                                         llvm::ConstantInt::get(d.i32, terms.size()),
                                                         llvm::ConstantInt::get(d.i32, expr.fixed ? EDGE_DIM_EXPR_FIXED : 0),
                                                         termsVar}));
  }
  llvm::Constant *symbolExprs =
      exprs.empty() ? static_cast<llvm::Constant *>(llvm::ConstantPointerNull::get(d.ptr))
                    : d.global(llvm::ConstantArray::get(llvm::ArrayType::get(exprType, exprs.size()), exprs), "symbol_exprs");

  // edge_lm_desc_t.
  llvm::Constant *lmDesc = llvm::ConstantPointerNull::get(d.ptr);
  if (lm.enabled) {
    std::vector<llvm::Constant *> fields;
    for (int64_t value : {lm.numLayers, lm.numKVHeads, lm.headDim, lm.vocabSize, int64_t(lm.inputIds),
                          int64_t(lm.positionIds), int64_t(lm.logits), int64_t(lm.logitsIndices), lm.maxPositions, int64_t(0)})
      fields.push_back(llvm::ConstantInt::get(d.i32, value));
    auto *lmType = llvm::StructType::get(context, std::vector<llvm::Type *>(fields.size(), d.i32));
    lmDesc = d.global(llvm::ConstantStruct::get(lmType, fields), "lm");
  }

  // edge_model_desc_t, in declaration order.
  auto *descType = llvm::StructType::get(context, {d.i32, d.i32, d.ptr, d.ptr, d.i32, d.i32, d.ptr, d.ptr, d.i32,
                                                   d.i32, d.ptr, d.ptr, d.i64, d.i64, d.ptr, d.ptr, d.ptr});
  uint32_t kind = lm.enabled ? EDGE_MODEL_KIND_CAUSAL_LM : EDGE_MODEL_KIND_GRAPH;
  llvm::Constant *desc = llvm::ConstantStruct::get(
      descType, {llvm::ConstantInt::get(d.i32, EDGE_MODEL_ABI_VERSION), llvm::ConstantInt::get(d.i32, kind),
                 d.string(identity.name, "name"), d.string(identity.target, "target"),
                 llvm::ConstantInt::get(d.i32, interface.inputs.size()),
                 llvm::ConstantInt::get(d.i32, interface.outputs.size()), d.tensors(interface.inputs, "inputs"),
                 d.tensors(interface.outputs, "outputs"), llvm::ConstantInt::get(d.i32, interface.symbols.size()),
                 llvm::ConstantInt::get(d.i32, 0), symbols, symbolExprs,
                 llvm::ConstantInt::get(d.i64, identity.weightsFingerprint),
                 llvm::ConstantInt::get(d.i64, identity.weightsDataSize), run, lmDesc,
                 vulkanProgram ? vulkanProgram : llvm::ConstantPointerNull::get(d.ptr)});
  llvm::Constant *descVar = d.global(desc, "desc");

  auto *modelType = llvm::FunctionType::get(d.ptr, {}, false);
  auto *model = llvm::Function::Create(modelType, llvm::GlobalValue::ExternalLinkage, identity.name + "_model", module);
  llvm::IRBuilder<> mb(llvm::BasicBlock::Create(context, "entry", model));
  mb.CreateRet(descVar);

  // Only NAME_model is the library's interface; keep everything else out of the symbol
  // table so two models link into one app without clashes.
  for (llvm::Function &f : module)
    if (!f.isDeclaration() && &f != model) f.setLinkage(llvm::GlobalValue::InternalLinkage);
  return llvm::Error::success();
}

} // namespace edge
