#!/usr/bin/env python3
"""Where the bytes of a .wasm go: section sizes, the biggest functions, and code size per crate.

Usage: python3 bench/wasm_size.py [file.wasm] [--top N] [--crates]
(--crates: only the per-crate table, as scripts/build-sdk.sh prints it when over budget.)
Default file: target/wasm32-unknown-unknown/release/tim_wasm.wasm (cargo's output, before
wasm-bindgen and wasm-opt, so it still has the name section that says which function is which;
the shipped pkg/tim_wasm_bg.wasm has none). Sizes there are before wasm-opt -Oz, so read them
as shares, not as shipped bytes. Also prints a gzip -9 estimate per crate (each crate's code
compressed on its own), which is closer to what a crate costs over the wire.
"""
import re
import sys
import zlib
from collections import defaultdict

SECTION_NAMES = {0: 'custom', 1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory',
                 6: 'global', 7: 'export', 8: 'start', 9: 'element', 10: 'code', 11: 'data',
                 12: 'datacount'}


def leb(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def name_str(buf, pos):
    n, pos = leb(buf, pos)
    return buf[pos:pos + n].decode('utf-8', 'replace'), pos + n


def parse(buf):
    assert buf[:4] == b'\0asm', 'not a wasm module'
    pos, sections = 8, []
    while pos < len(buf):
        sid = buf[pos]
        size, body = leb(buf, pos + 1)
        sections.append((sid, buf[body:body + size], body + size - pos))
        pos = body + size
    return sections


def imported_functions(payload):
    count, pos = leb(payload, 0)
    funcs = 0
    for _ in range(count):
        _, pos = name_str(payload, pos)
        _, pos = name_str(payload, pos)
        kind = payload[pos]
        pos += 1
        if kind == 0:  # function: type index
            _, pos = leb(payload, pos)
            funcs += 1
        elif kind == 1:  # table: reftype + limits
            pos += 1
            flags, pos = leb(payload, pos)
            _, pos = leb(payload, pos)
            if flags & 1:
                _, pos = leb(payload, pos)
        elif kind == 2:  # memory: limits
            flags, pos = leb(payload, pos)
            _, pos = leb(payload, pos)
            if flags & 1:
                _, pos = leb(payload, pos)
        elif kind == 3:  # global: valtype + mutability
            pos += 2
        else:  # tag
            pos += 1
            _, pos = leb(payload, pos)
    return funcs


def function_bodies(payload):
    count, pos = leb(payload, 0)
    bodies = []
    for _ in range(count):
        size, start = leb(payload, pos)
        bodies.append(payload[start:start + size])
        pos = start + size
    return bodies


def function_names(payload):
    _, pos = name_str(payload, 0)  # "name"
    names = {}
    while pos < len(payload):
        sub = payload[pos]
        size, start = leb(payload, pos + 1)
        if sub == 1:
            count, p = leb(payload, start)
            for _ in range(count):
                idx, p = leb(payload, p)
                name, p = name_str(payload, p)
                names[idx] = name
        pos = start + size
    return names


LEGACY_ESCAPES = [('$LT$', '<'), ('$GT$', '>'), ('$u20$', ' '), ('$C$', ','), ('$RF$', '&'),
                  ('$BP$', '*'), ('$LP$', '('), ('$RP$', ')'), ('$SP$', '@'), ('$u7b$', '{'),
                  ('$u7d$', '}'), ('$u5b$', '['), ('$u5d$', ']'), ('$u27$', "'"), ('$u3b$', ';'),
                  ('$u21$', '!'), ('$u3d$', '='), ('$u2b$', '+'), ('..', '::')]
V0_CRATE = re.compile(r'C(?:s[0-9A-Za-z]*_)?(\d+)([A-Za-z_])')


def demangle(name):
    """Rust's legacy mangling (`_ZN...E`) made readable; other names are returned as they are."""
    if not name.startswith('_ZN'):
        return name
    pos, parts = 3, []
    while pos < len(name) and name[pos].isdigit():
        end = pos
        while name[end].isdigit():
            end += 1
        n = int(name[pos:end])
        parts.append(name[end:end + n])
        pos = end + n
    if parts and re.fullmatch(r'h[0-9a-f]{16}', parts[-1]):
        parts.pop()
    text = '::'.join(p[1:] if p.startswith('_$') else p for p in parts)
    for a, b in LEGACY_ESCAPES:
        text = text.replace(a, b)
    return text


def crate_of(name):
    """The crate a Rust function belongs to: for `<impl Trait for Type>` the crate of the
    type (whose code it is), otherwise the first path segment."""
    if name.startswith('_R'):
        m = V0_CRATE.search(name)
        if m:
            n, start = int(m.group(1)), m.start(2)
            return name[start:start + n]
        return '?'
    text = demangle(name)
    m = re.match(r'<(?:&(?:mut )?)?(?:dyn )?([A-Za-z_][A-Za-z0-9_]*)', text)
    if m:
        return m.group(1)
    m = re.match(r'([A-Za-z_][A-Za-z0-9_]*)', text)
    return m.group(1) if m else '?'


def main(argv):
    path = 'target/wasm32-unknown-unknown/release/tim_wasm.wasm'
    top = 25
    crates_only = False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == '--top':
            top = int(args.pop(0))
        elif a == '--crates':
            crates_only = True
        else:
            path = a
    buf = open(path, 'rb').read()
    sections = parse(buf)
    if not crates_only:
        print(f'{path}: {len(buf):,} bytes, gzip -9 {len(zlib.compress(buf, 9)):,}')
        print('\nsections:')
        for sid, payload, total in sections:
            label = SECTION_NAMES.get(sid, str(sid))
            if sid == 0:
                label += ' "' + name_str(payload, 0)[0] + '"'
            print(f'  {label:<28} {total:>10,}')
    imports = next((imported_functions(p) for s, p, _ in sections if s == 2), 0)
    bodies = next((function_bodies(p) for s, p, _ in sections if s == 10), [])
    names = next((function_names(p) for s, p, _ in sections
                  if s == 0 and name_str(p, 0)[0] == 'name'), {})
    if not names:
        print('\n(no name section: build without wasm-opt to see functions)')
        return
    funcs = [(len(b), names.get(imports + i, f'func[{imports + i}]'), b) for i, b in enumerate(bodies)]
    funcs.sort(key=lambda f: -f[0])
    if not crates_only:
        print(f'\n{top} biggest functions (of {len(funcs):,}):')
        for size, name, _ in funcs[:top]:
            print(f'  {size:>8,}  {demangle(name)[:140]}')
    per_crate = defaultdict(lambda: [0, 0, b''])
    for size, name, body in funcs:
        c = per_crate[crate_of(name)]
        c[0] += size
        c[1] += 1
        c[2] += body
    code_total = sum(f[0] for f in funcs)
    print(f'\ncode per crate (code section {code_total:,} bytes):')
    print(f'  {"bytes":>9} {"share":>6} {"gzip":>8} {"fns":>5}  crate')
    for crate, (size, count, blob) in sorted(per_crate.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f'  {size:>9,} {100 * size / code_total:>5.1f}% {len(zlib.compress(blob, 9)):>8,} {count:>5}  {crate}')


if __name__ == '__main__':
    main(sys.argv[1:])
