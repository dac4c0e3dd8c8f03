#include "compiler/import/SymbolicShape.h"

#include "llvm/ADT/STLExtras.h"

namespace edge {

SymDim SymDim::combination(int64_t constant, std::vector<Term> terms) {
  std::sort(terms.begin(), terms.end());
  std::vector<Term> merged;
  for (const Term &t : terms) {
    if (merged.empty() || merged.back().first != t.first) merged.push_back(t);
    else if (__builtin_add_overflow(merged.back().second, t.second, &merged.back().second)) return unknown();
  }
  llvm::erase_if(merged, [](const Term &t) { return t.second == 0; });
  if (merged.empty()) return fixed(constant);
  SymDim dim{Symbolic, constant, -1, merged};
  if (constant == 0 && merged.size() == 1 && merged[0].second == 1) dim.symbol = merged[0].first;
  return dim;
}

std::string describe(const SymDim &dim, llvm::ArrayRef<std::string> symbols) {
  if (dim.isStatic()) return std::to_string(dim.value);
  if (!dim.isSymbolic()) return "?";
  std::string text;
  for (const auto &[symbol, coefficient] : dim.terms) {
    int64_t magnitude = coefficient < 0 ? -coefficient : coefficient;
    text += text.empty() ? (coefficient < 0 ? "-" : "") : (coefficient < 0 ? " - " : " + ");
    if (magnitude != 1) text += std::to_string(magnitude) + "*";
    text += symbols[symbol];
  }
  if (dim.value) text += (dim.value < 0 ? " - " : " + ") + std::to_string(dim.value < 0 ? -dim.value : dim.value);
  return text;
}

std::string describe(const SymShape &shape, llvm::ArrayRef<std::string> symbols) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + describe(shape[i], symbols);
  return text + "]";
}

bool provablyEqual(const SymDim &a, const SymDim &b) { return a.isKnown() && a == b; }

/// Records `name == other` when `name` is one named dim that `other` does not mention.
static bool recordEquality(const SymDim &name, const SymDim &other, std::vector<DimEquality> *equalities) {
  if (!equalities || !name.isSymbol() || !other.isSymbolic()) return false;
  for (const SymDim::Term &term : other.terms)
    if (term.first == name.symbol) return false;
  equalities->emplace_back(name.symbol, other);
  return true;
}

llvm::Expected<SymShape> broadcastShapes(const SymShape &a, const SymShape &b,
                                         llvm::ArrayRef<std::string> symbols,
                                         std::vector<DimEquality> *equalities) {
  size_t rank = std::max(a.size(), b.size());
  SymShape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    auto at = [&](const SymShape &s) {
      int64_t j = static_cast<int64_t>(i) - static_cast<int64_t>(rank - s.size());
      return j < 0 ? SymDim::fixed(1) : s[j];
    };
    SymDim x = at(a), y = at(b);
    if (x.isStatic() && x.value == 1) result[i] = y;
    else if (y.isStatic() && y.value == 1) result[i] = x;
    else if (provablyEqual(x, y)) result[i] = x;
    else if (recordEquality(x, y, equalities)) result[i] = y;
    else if (recordEquality(y, x, equalities)) result[i] = x;
    else
      return llvm::createStringError("shapes " + describe(a, symbols) + " and " + describe(b, symbols) +
                                     " do not broadcast (dim " + describe(x, symbols) + " vs " +
                                     describe(y, symbols) + ")");
  }
  return result;
}

llvm::Expected<SymShape> reshapeShape(const SymShape &input, llvm::ArrayRef<int64_t> target,
                                      bool allowZero, std::vector<DimEquality> *equalities) {
  SymShape dims;
  for (int64_t t : target) dims.push_back(SymDim::fixed(t));
  return reshapeShape(input, dims, allowZero, equalities);
}

/// c * a for a known dim; unknown when a coefficient would overflow.
static SymDim scaled(const SymDim &a, int64_t c) {
  std::vector<SymDim::Term> terms = a.terms;
  for (auto &t : terms)
    if (__builtin_mul_overflow(t.second, c, &t.second)) return SymDim::unknown();
  int64_t constant = 0;
  if (__builtin_mul_overflow(a.value, c, &constant)) return SymDim::unknown();
  return SymDim::combination(constant, terms);
}

SymDim foldIntOp(IntOp op, const SymDim &a, const SymDim &b) {
  if (a.isStatic() && b.isStatic()) {
    // Folding never executes an undefined operation (overflow, division by zero,
    // INT64_MIN / -1): such a result is unknown, and the op is left to run.
    int64_t x = a.value, y = b.value, r = 0;
    switch (op) {
    case IntOp::Add: return __builtin_add_overflow(x, y, &r) ? SymDim::unknown() : SymDim::fixed(r);
    case IntOp::Sub: return __builtin_sub_overflow(x, y, &r) ? SymDim::unknown() : SymDim::fixed(r);
    case IntOp::Mul: return __builtin_mul_overflow(x, y, &r) ? SymDim::unknown() : SymDim::fixed(r);
    case IntOp::Div:
      if (y == 0 || (x == INT64_MIN && y == -1)) return SymDim::unknown();
      return SymDim::fixed(x / y - ((x % y != 0) && ((x < 0) != (y < 0)) ? 1 : 0)); // floor, as numpy
    case IntOp::Mod:
      if (y == 0 || (x == INT64_MIN && y == -1)) return SymDim::unknown();
      // The sum overflows only when x % y and y have the same sign: x % y is the floor modulus then.
      if (__builtin_add_overflow(x % y, y, &r)) return SymDim::fixed(x % y);
      return SymDim::fixed(r % y);
    case IntOp::Max: return SymDim::fixed(std::max(x, y));
    case IntOp::Min: return SymDim::fixed(std::min(x, y));
    }
  }
  if (!a.isKnown() || !b.isKnown()) return SymDim::unknown();
  switch (op) {
  case IntOp::Add:
  case IntOp::Sub: {
    SymDim right = op == IntOp::Sub ? scaled(b, -1) : b;
    int64_t constant = 0;
    if (!right.isKnown() || __builtin_add_overflow(a.value, right.value, &constant)) return SymDim::unknown();
    std::vector<SymDim::Term> terms = a.terms;
    terms.insert(terms.end(), right.terms.begin(), right.terms.end());
    return SymDim::combination(constant, terms);
  }
  case IntOp::Mul:
    if (b.isStatic()) return scaled(a, b.value);
    if (a.isStatic()) return scaled(b, a.value);
    return SymDim::unknown();
  case IntOp::Div: {
    if (!b.isStatic() || b.value == 0) return SymDim::unknown();
    int64_t c = b.value;
    if (c == -1) return scaled(a, -1); // INT64_MIN % -1 and / -1 are undefined
    bool exact = a.value % c == 0 && llvm::all_of(a.terms, [c](const SymDim::Term &t) { return t.second % c == 0; });
    if (!exact) return SymDim::unknown();
    std::vector<SymDim::Term> terms = a.terms;
    for (auto &t : terms) t.second /= c;
    return SymDim::combination(a.value / c, terms);
  }
  case IntOp::Max:
  case IntOp::Min: return a == b ? a : SymDim::unknown();
  case IntOp::Mod: return SymDim::unknown();
  }
  return SymDim::unknown();
}

llvm::Expected<SymShape> reshapeShape(const SymShape &input, llvm::ArrayRef<SymDim> target,
                                      bool allowZero, std::vector<DimEquality> *equalities) {
  SymShape result(target.size());
  int inferred = -1;
  bool provable = true;
  int64_t inputStatic = 1, targetStatic = 1;
  std::vector<SymDim> inputDynamic;
  auto tooMany = [] { return llvm::createStringError("the element count does not fit in 64 bits"); };
  for (const SymDim &d : input) {
    if (!d.isStatic()) inputDynamic.push_back(d);
    else if (__builtin_mul_overflow(inputStatic, d.value, &inputStatic)) return tooMany();
  }
  for (size_t i = 0; i < target.size(); ++i) {
    if (!target[i].isStatic()) {
      result[i] = target[i];
      auto it = llvm::find(inputDynamic, result[i]);
      if (it != inputDynamic.end() && result[i].isSymbolic()) inputDynamic.erase(it);
      else provable = false;
      continue;
    }
    int64_t t = target[i].value;
    if (t == -1) {
      if (inferred >= 0) return llvm::createStringError("more than one -1 in the target shape");
      inferred = static_cast<int>(i);
      continue;
    }
    if (t < -1) return llvm::createStringError("invalid target dim " + std::to_string(t));
    if (t == 0 && !allowZero) {
      if (i >= input.size())
        return llvm::createStringError("target dim " + std::to_string(i) + " is 0 but the input has rank " +
                                       std::to_string(input.size()));
      result[i] = input[i];
    } else {
      result[i] = SymDim::fixed(t);
    }
    if (result[i].isStatic()) {
      if (__builtin_mul_overflow(targetStatic, result[i].value, &targetStatic)) return tooMany();
    } else {
      // A dynamic dim carried over: it no longer needs to be accounted for by -1.
      auto it = llvm::find(inputDynamic, result[i]);
      if (it != inputDynamic.end() && result[i].isSymbolic()) inputDynamic.erase(it);
      else provable = false;  // an unknown dim was carried: -1 cannot be derived
    }
  }
  if (inferred >= 0 && !provable) {
    result[inferred] = SymDim::unknown();
    return result;
  }
  if (inferred < 0) {
    if (provable && inputDynamic.empty() && inputStatic != targetStatic)
      return llvm::createStringError("cannot reshape " + std::to_string(inputStatic) + " elements into " +
                                     std::to_string(targetStatic));
    // Every target dim static, one dynamic input dim n: inputStatic * n must be the target's
    // count, so the graph works for one n only (or none).
    if (provable && inputDynamic.size() == 1 && inputDynamic[0].isKnown()) {
      bool whole = inputStatic ? targetStatic % inputStatic == 0 : targetStatic == 0;
      if (!whole)
        return llvm::createStringError("cannot reshape the input (" + std::to_string(inputStatic) +
                                       " elements times its dynamic dim) into " + std::to_string(targetStatic) +
                                       " elements for any size of that dim");
      if (inputStatic && inputDynamic[0].isSymbol() && equalities)
        equalities->emplace_back(inputDynamic[0].symbol, SymDim::fixed(targetStatic / inputStatic));
    }
    return result;
  }
  if (inputDynamic.empty()) {
    if (targetStatic == 0 || inputStatic % targetStatic != 0)
      return llvm::createStringError("cannot infer -1: " + std::to_string(inputStatic) +
                                     " elements do not divide by " + std::to_string(targetStatic));
    result[inferred] = SymDim::fixed(inputStatic / targetStatic);
  } else if (inputDynamic.size() == 1 && inputDynamic[0].isSymbolic() && targetStatic != 0 &&
             inputStatic % targetStatic == 0) {
    result[inferred] = foldIntOp(IntOp::Mul, inputDynamic[0], SymDim::fixed(inputStatic / targetStatic));
  } else {
    result[inferred] = SymDim::unknown();
  }
  return result;
}

} // namespace edge
