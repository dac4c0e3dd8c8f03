//===- ModelIdentity.h - what a compile adds to the IR's interface -*- C++ -*-===//
#ifndef EDGE_CODEGEN_COMMON_MODELIDENTITY_H
#define EDGE_CODEGEN_COMMON_MODELIDENTITY_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace edge {

/// The facts about a compiled model that are not in its IR interface (edge.model): the C
/// name of its entry symbol, the target it was compiled for, and the weights file its
/// code addresses. The descriptor and NAME.h record them.
struct ModelIdentity {
  std::string name;   ///< C identifier: NAME_model, libNAME.a, NAME.weights
  std::string target; ///< "triple cpu" (prefixed "vulkan " for --target vulkan)
  uint64_t weightsFingerprint = 0;
  uint64_t weightsDataSize = 0;
  size_t weightsCount = 0;
};

} // namespace edge

#endif // EDGE_CODEGEN_COMMON_MODELIDENTITY_H
