#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""layers.py - the dependency picture of core/, and the check that keeps it

    layers.py            check: exit 1 on an include or a call in core/
                         that points up a layer, or on a loop between
                         files of core/ or of mock_iommu/ that
                         docs/design.md does not declare one unit
    layers.py --graph    print every file-to-file call edge of core/,
                         each file's layer, and the loops (strongly
                         connected sets) of both folders
    layers.py --dot      core/'s edges as a Graphviz digraph

The layers of core/, bottom first, and the units (files that are one
design unit although they are several files, written `a + b`) are read
from the tables in docs/design.md, section "Layers", so they are written
once. A file's name there is its stem: "pages" is core/pages.c and
core/pages.h; the mock's units are named with their folder.

An edge A -> B means that A's text (comments and strings left out) names
a function, a variable or a macro that B defines and A does not: it is
read from the sources, so it needs no build, and it sees calls made
through a header's inline helpers or macros as calls of the file that
uses them.
"""

import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORE = os.path.join(REPO, 'core')
MOCK = os.path.join(REPO, 'mock_iommu')
DESIGN = os.path.join(REPO, 'docs', 'design.md')

IDENT = re.compile(r'\b[A-Za-z_]\w*\b')
INCLUDE = re.compile(r'^#include "([^"]+)"', re.M)
# A definition at column 0: "type name(" with the body's brace on a line
# of its own (the kernel's style), or an exported variable.
FUNC_DEF = re.compile(r'^(?!static\b)(?:[A-Za-z_][^;()\n]*?[\s*])?(\w+)\(([^;{]*?)\)\s*\n\{',
                      re.M)
STATIC_INLINE = re.compile(r'^static inline [^;()\n]*?\b(\w+)\(', re.M)
MACRO_DEF = re.compile(r'^#define (\w+)', re.M)
VAR_DEF = re.compile(r'^(?!static\b|extern\b|return\b)[A-Za-z_][\w ]*?[\s*](\w+)(?:\[\w*\])?\s*[=;]',
                     re.M)


def strip(text):
    """Comments, strings and character constants blanked out."""
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"'(?:\\.|[^'\\\n])*'", "''", text)


def table(name):
    """The rows of docs/design.md's table between the NAME markers."""
    text = open(DESIGN).read()
    m = re.search(f'<!-- {name}:begin -->(.*?)<!-- {name}:end -->', text,
                  re.S)
    if not m:
        sys.exit(f'layers.py: no {name} table in docs/design.md')
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) >= 2 and not set(cells[0]) <= set('-'):
            yield cells


def members(cell, units):
    """The stems of a cell (`a`, `b + c`), recording units in UNITS."""
    stems = []
    for group in cell.split(','):
        names = [s.strip().strip('`').split('/')[-1]
                 for s in group.strip().strip('`').split('+')]
        for s in names:
            stems.append(s)
            if len(names) > 1:
                units[s] = '+'.join(names)
    return stems


def read_layers():
    """[(layer name, [stems])] bottom first, {stem: unit} for core/ and
    for mock_iommu/."""
    layers, units, mock_units = [], {}, {}
    for cells in table('layers'):
        if cells[0].isdigit():
            layers.append((cells[1], members(cells[2], units)))
    for cells in table('units'):
        members(cells[0], mock_units)
    return layers, units, mock_units


def stem(name):
    return os.path.splitext(os.path.basename(name))[0]


def folder_files(folder):
    return sorted(f for f in os.listdir(folder) if f.endswith(('.c', '.h')))


def definitions(folder, files):
    """{identifier: stem that defines it}"""
    owner = {}
    for f in files:
        text = strip(open(os.path.join(folder, f)).read())
        names = MACRO_DEF.findall(text)
        if f.endswith('.c'):
            names += VAR_DEF.findall(text)
            names += [m.group(1) for m in FUNC_DEF.finditer(text)]
        else:
            names += STATIC_INLINE.findall(text)
        for n in names:
            owner.setdefault(n, stem(f))
    return owner


def edges(folder, files, owner):
    """{(from stem, to stem)} for .c files' uses of other files' names."""
    out = set()
    for f in files:
        if not f.endswith('.c'):
            continue
        me = stem(f)
        text = strip(open(os.path.join(folder, f)).read())
        for n in set(IDENT.findall(text)):
            o = owner.get(n)
            if o and o != me:
                out.add((me, o))
    return out


def loops(nodes, graph):
    """Strongly connected sets of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                out.append(sorted(scc))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def picture(folder):
    """The files of FOLDER as nodes, their edges, and the edges by file."""
    files = folder_files(folder)
    edge = edges(folder, files, definitions(folder, files))
    graph = {}
    for a, b in edge:
        graph.setdefault(a, set()).add(b)
    return files, {stem(f) for f in files}, edge, graph


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else '--check'
    layers, units, mock_units = read_layers()
    level = {s: i for i, (_, stems) in enumerate(layers) for s in stems}
    files, nodes, edge, graph = picture(CORE)
    problems = []
    for f in files:
        if stem(f) not in level:
            problems.append(f'core/{f}: in no layer of docs/design.md')

    if mode == '--dot':
        print('digraph core {\n\trankdir=BT;')
        for i, (name, stems) in enumerate(layers):
            print(f'\tsubgraph cluster_{i} {{ label="{i} {name}"; ' +
                  ' '.join(f'"{s}";' for s in stems if s in nodes) + ' }')
        for a, b in sorted(edge):
            print(f'\t"{a}" -> "{b}";')
        print('}')
        return 0

    for f in files:
        me = stem(f)
        text = open(os.path.join(CORE, f)).read()
        for inc in INCLUDE.findall(text):
            them = stem(inc)
            if me in level and them in level and level[them] > level[me]:
                problems.append(f'core/{f}: includes {inc}, a layer above '
                                f'({layers[level[them]][0]} over '
                                f'{layers[level[me]][0]})')
    for a, b in sorted(edge):
        if a in level and b in level and level[b] > level[a]:
            problems.append(f'core/{a}.c: uses {b} '
                            f'({layers[level[b]][0]}), a layer above')
    found = loops(nodes, graph)
    _, mock_nodes, _, mock_graph = picture(MOCK)
    mock_found = loops(mock_nodes, mock_graph)
    for where, sccs, known in (('core', found, units),
                               ('mock_iommu', mock_found, mock_units)):
        for scc in sccs:
            if len({known.get(s, s) for s in scc}) > 1:
                problems.append(f'a loop in {where}/: ' +
                                ' <-> '.join(scc))

    if mode == '--graph':
        for i, (name, stems) in enumerate(layers):
            print(f'layer {i} {name}:')
            for s in stems:
                if s in nodes:
                    to = sorted(graph.get(s, ()))
                    print(f'  {s:16} -> {" ".join(to) if to else "-"}')
        print(f'{len(edge)} edges between {len(nodes)} files')
        for scc in found:
            print(f'loop of {len(scc)}: {" ".join(scc)}')
        for scc in mock_found:
            print(f'loop of {len(scc)} in mock_iommu/: {" ".join(scc)}')
        print(f'{len(found)} loops in core/, {len(mock_found)} in '
              'mock_iommu/')
    for p in problems:
        print('layers: ' + p)
    if problems:
        return 1
    if mode != '--graph':
        print(f'layers: {len(nodes)} files in {len(layers)} layers, '
              f'{len(edge)} edges, none points up; '
              f'{len(found) + len(mock_found)} loops, each a declared unit')
    return 0


if __name__ == '__main__':
    sys.exit(main())
