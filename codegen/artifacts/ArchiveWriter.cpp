//===- ArchiveWriter.cpp - libNAME.a and atomic file writes ----------------===//
#include "codegen/artifacts/Artifacts.h"

#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace edge {

llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents) {
  std::string temporary = (path + ".tmp").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(temporary, ec);
    if (ec) return llvm::createStringError(path + ": cannot write: " + ec.message());
    out << contents;
    out.close();
    if (out.has_error()) {
      llvm::sys::fs::remove(temporary);
      return llvm::createStringError(path + ": write failed");
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temporary, path))
    return llvm::createStringError(path + ": cannot rename: " + ec.message());
  return llvm::Error::success();
}

llvm::Error writeStaticArchive(llvm::StringRef path, llvm::StringRef memberName, llvm::StringRef object,
                               bool darwin) {
  std::vector<llvm::NewArchiveMember> members;
  members.emplace_back(llvm::MemoryBufferRef(object, memberName));
  // Apple's linker reads the BSD layout with its __.SYMDEF symbol table; the GNU
  // layout's table is invisible to it.
  auto kind = darwin ? llvm::object::Archive::K_DARWIN : llvm::object::Archive::K_GNU;
  auto archive = llvm::writeArchiveToBuffer(members, llvm::SymtabWritingMode::NormalSymtab, kind,
                                            /*Deterministic=*/true, /*Thin=*/false);
  if (!archive) return archive.takeError();
  return writeFileAtomically(path, (*archive)->getBuffer());
}

} // namespace edge
