"""Just enough PDF reading for tests: the text of each page of a Chromium or WeasyPrint PDF.

Why here and not a library: the checks need only "which words are on page N" (running header,
page numbers), and no PDF reader is a dependency of costmark. Handles what both printers write:
Flate streams, fonts with a ToUnicode CMap (bfchar and bfrange), hex-string Tj/TJ operators.
"""

from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(?:stream\r?\n(.*?)\r?\nendstream)?\s*endobj", re.S)
_REF = rb"(\d+) 0 R"
_TEXT = re.compile(rb"/(F\d+) [\d.]+ Tf|(\[[^\]]*\]\s*TJ|<[0-9A-Fa-f]*>\s*Tj)")


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes]]:
    out: dict[int, tuple[bytes, bytes]] = {}
    for num, head, stream in _OBJ.findall(pdf):
        data = stream or b""
        if b"/FlateDecode" in head and data:
            try:
                data = zlib.decompress(data)
            except zlib.error:
                data = b""
        out[int(num)] = (head, data)
    return out


def _cmap(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>",
                                      block):
            first = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(first + i)
    return out


def pages(pdf: bytes) -> list[str]:
    """The text on each page, in content order (words may run together; enough to search)."""
    objs = _objects(pdf)
    fonts: dict[int, tuple[dict[int, str], int]] = {}
    for num, (head, _) in objs.items():
        m = re.search(rb"/ToUnicode " + _REF, head)
        if b"/Font" in head and m:
            width = 1 if b"/Type0" not in head else 2
            fonts[num] = (_cmap(objs.get(int(m.group(1)), (b"", b""))[1]), width)
    out = []
    for head, _ in (objs[n] for n in sorted(objs) if b"/Type /Page\n" in objs[n][0]):
        names = dict(re.findall(rb"/(F\d+) " + _REF, head))
        refs = re.search(rb"/Contents (?:\[(.*?)\]|" + _REF + rb")", head, re.S)
        streams = [int(x) for x in re.findall(_REF, refs.group(1))] if refs and refs.group(1) \
            else [int(refs.group(2))] if refs else []
        text = []
        for sid in streams:
            current: tuple[dict[int, str], int] = ({}, 1)
            content = objs.get(sid, (b"", b""))[1]
            for font, hexes in _TEXT.findall(content):
                if font:
                    current = fonts.get(int(names.get(font, b"0")), ({}, 1))
                    continue
                cmap, width = current
                for h in re.findall(rb"<([0-9A-Fa-f]*)>", hexes):
                    step = 2 * width
                    text += [cmap.get(int(h[i:i + step], 16), "") for i in range(0, len(h), step)]
                text.append(" ")
        out.append("".join(text))
    return out
