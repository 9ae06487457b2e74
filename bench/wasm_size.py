#!/usr/bin/env python3
"""What makes the WebAssembly bundle large (issue 19, item 1): the code of
the module cargo builds, before wasm-bindgen and wasm-opt, grouped by the
crate each function comes from (read from the function names that the
module's "name" section keeps). Prints a Markdown table for
bench/RESULTS.md.

Usage: bench/wasm_size.py MODULE.wasm [ROWS]
"""

import collections
import re
import sys


def leb128(data, i):
    """An unsigned LEB128 number at i, and the index after it."""
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def skip_name(data, i):
    length, i = leb128(data, i)
    return i + length


def read_module(data):
    """Function body sizes (code section order), the number of imported
    functions, function names by index, data section size and custom
    section sizes."""
    if data[:4] != b"\0asm":
        sys.exit("wasm_size: not a WebAssembly module")
    i = 8
    imported = 0
    bodies = []
    names = {}
    data_bytes = 0
    custom = collections.Counter()
    while i < len(data):
        section = data[i]
        size, i = leb128(data, i + 1)
        start, end = i, i + size
        if section == 2:  # imports: only functions shift the indices
            count, j = leb128(data, start)
            for _ in range(count):
                j = skip_name(data, skip_name(data, j))
                kind = data[j]
                j += 1
                if kind == 0:
                    _, j = leb128(data, j)
                    imported += 1
                elif kind == 1:  # table: element type, limits
                    flags, j = leb128(data, j + 1)
                    _, j = leb128(data, j)
                    if flags & 1:
                        _, j = leb128(data, j)
                elif kind == 2:  # memory: limits
                    flags, j = leb128(data, j)
                    _, j = leb128(data, j)
                    if flags & 1:
                        _, j = leb128(data, j)
                else:  # global: value type, mutability
                    j += 2
        elif section == 10:
            count, j = leb128(data, start)
            for _ in range(count):
                length, body = leb128(data, j)
                bodies.append(body - j + length)
                j = body + length
        elif section == 11:
            data_bytes += size
        elif section == 0:
            length, name_start = leb128(data, start)
            name_end = name_start + length
            name = data[name_start:name_end].decode("utf-8", "replace")
            custom[name] += size
            if name == "name":
                j = name_end
                while j < end:
                    kind = data[j]
                    length, j = leb128(data, j + 1)
                    if kind == 1:  # function names
                        count, k = leb128(data, j)
                        for _ in range(count):
                            index, k = leb128(data, k)
                            length2, k = leb128(data, k)
                            names[index] = data[k : k + length2].decode("utf-8", "replace")
                            k += length2
                    j += length
        i = end
    return bodies, imported, names, data_bytes, custom


def crate_of(symbol):
    """The first crate named in a mangled Rust symbol (legacy `_ZN` or v0
    `_R`): the crate that defines the function, or, for a trait method, the
    implementing type's crate."""
    if symbol.startswith("_ZN"):
        digits = re.match(r"_ZN(\d+)", symbol)
        if not digits:
            return "?"
        start = 3 + len(digits.group(1))
        part = symbol[start : start + int(digits.group(1))]
        part = re.sub(r"^_?(\$LT\$)+(\$RF\$)?(mut\$u20\$)?(dyn\$u20\$)?", "", part)
        word = re.match(r"[A-Za-z_][A-Za-z0-9_]*", part)
        trait = re.search(r"\$u20\$as\$u20\$([A-Za-z_][A-Za-z0-9_]*)", symbol)
        if trait and (not word or re.fullmatch(r"[A-Z]", word.group(0))):
            # `<T as tachys::view::Render>::build`: a blanket impl, counted
            # under the trait's crate.
            return trait.group(1)
        return word.group(0) if word else "(tuples and other types)"
    if symbol.startswith("_R"):
        found = re.search(r"C(?:s[0-9A-Za-z]*_)?(\d+)", symbol)
        if not found:
            return "?"
        return symbol[found.end() : found.end() + int(found.group(1))]
    return "(not Rust: " + symbol.split("_")[0] + ")"


def main():
    path = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    with open(path, "rb") as f:
        bodies, imported, names, data_bytes, custom = read_module(f.read())
    size = collections.Counter()
    count = collections.Counter()
    for index, body in enumerate(bodies):
        crate = crate_of(names.get(imported + index, "?"))
        size[crate] += body
        count[crate] += 1
    code = sum(bodies)
    kib = lambda n: f"{n / 1024:,.0f} KiB"
    print(
        f"{len(bodies):,} functions, {kib(code)} of code, {kib(data_bytes)} of data "
        f"(translations and other constants), "
        + ", ".join(f"{kib(n)} of `{name}`" for name, n in custom.most_common())
        + "."
    )
    print()
    print("| crate | code | share | functions |")
    print("| --- | ---: | ---: | ---: |")
    for crate, n in size.most_common(rows):
        print(f"| `{crate}` | {kib(n)} | {100 * n / code:.1f} % | {count[crate]:,} |")
    rest = code - sum(n for _, n in size.most_common(rows))
    print(f"| the other {len(size) - rows} crates | {kib(rest)} | {100 * rest / code:.1f} % | |")


if __name__ == "__main__":
    main()
