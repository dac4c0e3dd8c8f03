#!/usr/bin/python3
"""trace.py FILE.s FUNCTION RUNS: the instructions one iteration of FUNCTION's outer (block)
loop executes, in order, as straight-line input for llvm-mca: from the outer loop's header,
following unconditional branches, taking a conditional branch only back to the inner loop
(until its body has run RUNS times, the trip count at a block of 32) or back to the header
(the end), however it gets there. Zero-trip guards and exits fall through."""
import re, sys
path, function, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(path).read().split('\n')
start = next(i for i, l in enumerate(lines) if l.split('//')[0].strip() == function + ':')
end = next(i for i in range(start, len(lines)) if lines[i].startswith('.Lfunc_end'))
body = lines[start + 1:end]
labels = {l.split(':')[0]: i for i, l in enumerate(body) if re.match(r'\.LBB\w+:', l)}
def header(depth):  # the label of the first loop header of this depth (the comment may follow it)
    for i, line in enumerate(body):
        if re.search(r'Loop Header: Depth=%d$' % depth, line):
            while not body[i].startswith('.LBB'):
                i -= 1
            return body[i].split(':')[0]
outer, inner = header(1), header(2)
out, inner_runs, i = [], 0, labels[outer] + 1
while True:
    line = body[i]
    i += 1
    if line.startswith(outer + ':'):  # back at the header by falling through
        break
    if not line.startswith('\t') or line.lstrip().startswith(('.', '//')):
        continue
    out.append(line)
    op, args = (line.split(None, 1) + [''])[:2]
    target = args.split(',')[-1].strip()
    if op == 'b':
        if target == outer:
            break
        i = labels[target] + 1
    elif target in labels and (op.startswith('b.') or op in ('cbz', 'cbnz', 'tbz', 'tbnz')):
        if target == outer:
            break
        if target == inner:
            inner_runs += 1
            if inner_runs < runs:
                i = labels[target] + 1
print('\n'.join(out))
