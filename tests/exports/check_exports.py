#!/usr/bin/python3
"""The runtime's libraries as an app's linker sees them: every global symbol they define
carries the edge_ prefix (so none can collide with an app's own json_parse or the like),
and every function the public headers declare is defined in one of them.

    check_exports.py HEADER_DIR ARCHIVE...     (llvm-nm-22 reads the archives)
"""
import os
import re
import subprocess
import sys

# A declaration in a public header: `type edge_name(` at the start of a line; static
# inline functions (also behind a macro) live in the header itself.
DECLARATION = re.compile(r"^(?!.*\bstatic\b)[A-Za-z_][\w \*]*?\b(edge_\w+)\s*\(", re.M)


def defined_globals(archive):
    out = subprocess.run(["llvm-nm-22", "--defined-only", "--extern-only", archive], check=True,
                         capture_output=True, text=True).stdout
    return {fields[2] for fields in (line.split() for line in out.splitlines()) if len(fields) == 3}


def declared(header_dir):
    names = set()
    for name in sorted(os.listdir(header_dir)):
        text = open(os.path.join(header_dir, name)).read()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments show example calls
        names |= set(DECLARATION.findall(text))
    return names


def main():
    header_dir, archives = sys.argv[1], sys.argv[2:]
    failures = 0
    defined = set()
    for archive in archives:
        symbols = defined_globals(archive)
        defined |= symbols
        foreign = sorted(s for s in symbols if not s.startswith("edge_"))
        print(f"{archive}: {len(symbols)} global symbols" + (f", without the edge_ prefix: {foreign}" if foreign else ""))
        failures += len(foreign)
    missing = sorted(declared(header_dir) - defined)
    if missing:
        print(f"declared in {header_dir} but defined in none of the archives: {missing}")
    failures += len(missing)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
