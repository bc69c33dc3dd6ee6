"""Bad inputs, made here (no files shipped): uploads a careful user or an attacker could send,
and canvas states a tampered browser could send. Used by ``benchmarks/robustness.py`` (through
:mod:`lenet5.eval.tamper`, which sends them to the real app) and the tests
(tests/core/test_fuzz.py, tests/browser/test_robustness_browser.py).

Every upload is ``(name, file bytes)``; every canvas tampering is ``(name, page, change)``,
where ``change`` takes the canvas' state as the browser sent it (``{"drawing": {"raw": ...,
"data": ...}}``) and returns what to send instead.
"""

from __future__ import annotations

import base64
import io
import struct
import zlib
from collections.abc import Callable

import numpy as np
from PIL import Image

Change = Callable[[dict], object]


def encode(image: np.ndarray | Image.Image, fmt: str = "PNG", **params) -> bytes:
    im = image if isinstance(image, Image.Image) else Image.fromarray(image)
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png(side: int = 20000) -> bytes:
    """A valid 1-bit ``side``x``side`` black PNG (400 million pixels at 20000) of ~50 KB."""
    row = b"\0" * (1 + (side + 7) // 8)  # filter byte + packed bits
    z = zlib.compressobj(9)
    body = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body)
            + _chunk(b"IEND", b""))


def mutate(data: bytes, rng: np.random.Generator, n: int = 8) -> bytes:
    """``data`` with ``n`` random bytes overwritten, a byte range repeated or cut short."""
    b = bytearray(data)
    for _ in range(n):
        if not b:
            break
        kind, i = int(rng.integers(3)), int(rng.integers(len(b)))
        if kind == 0:
            b[i] = int(rng.integers(256))
        elif kind == 1:
            b[i:i] = b[i:i + int(rng.integers(1, 64))]
        else:
            del b[i:i + int(rng.integers(1, 16))]
    return bytes(b)


def digit_image(size: tuple[int, int] = (200, 150)) -> np.ndarray:
    """A dark '1' on light paper, ``(H, W) uint8``."""
    h, w = size
    a = np.full((h, w), 235, np.uint8)
    a[h // 5: 4 * h // 5, w // 2 - 6: w // 2 + 6] = 30
    return a


def seeds() -> dict[str, bytes]:
    """Valid small images of a digit in each accepted format (seeds for byte mutation)."""
    a = digit_image()
    two = [Image.fromarray(a), Image.fromarray(255 - a)]
    return {"PNG": encode(a), "JPEG": encode(a, "JPEG"), "BMP": encode(a, "BMP"),
            "WEBP": encode(a, "WEBP"),
            "GIF": encode(two[0], "GIF", save_all=True, append_images=two[1:], duration=100)}


def _rgba(size, fill=(0, 0, 0, 0)) -> bytes:
    return encode(Image.new("RGBA", size, fill))


def uploads() -> list[tuple[str, bytes]]:
    """30+ bad or odd uploads, each a file a person or a script could pick (all <= 5 MB)."""
    return uploads_by_name(None)


def uploads_by_name(names: list[str] | None) -> list[tuple[str, bytes]]:
    """:func:`uploads`, only those named in ``names`` (all for None): made on demand."""
    rng = np.random.default_rng(13)
    s = seeds()
    made = [
        ("empty file", b""),
        ("text file named .png", b"hello, this is a text file\n" * 20),
        ("PDF named .png", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
        ("SVG named .png", b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'),
        ("HTML named .png", b"<html><script>alert(1)</script></html>"),
        ("ZIP named .png", b"PK\x03\x04" + bytes(100)),
        ("TIFF named .png", encode(digit_image(), "TIFF")),
        ("GIF header only", b"GIF89a" + b"\0" * 4),
        ("truncated PNG", s["PNG"][: len(s["PNG"]) // 2]),
        ("truncated JPEG", s["JPEG"][: len(s["JPEG"]) // 2]),
        ("truncated WebP", s["WEBP"][: len(s["WEBP"]) // 2]),
        ("truncated BMP", s["BMP"][: len(s["BMP"]) // 3]),
        ("PNG bomb 20000x20000, 1-bit", lambda: bomb_png(20000)),
        ("PNG bomb 6000x6000, 1-bit", lambda: bomb_png(6000)),
        ("PNG 1 x 24,000,000", lambda: encode(Image.new("L", (1, 24_000_000)))),
        ("PNG 16-bit 4898x4898",
         lambda: encode(Image.fromarray(np.zeros((4898, 4898), np.uint16)))),
        ("PNG RGBA 6000x4000, transparent", lambda: _rgba((6000, 4000))),
        ("WebP 6000x4000", lambda: encode(Image.new("RGB", (6000, 4000)), "WEBP")),
        ("WebP RGBA 4000x2000", lambda: encode(
            Image.new("RGBA", (4000, 2000), (9, 9, 9, 200)), "WEBP", lossless=True)),
        ("GIF 6000x4000 with a transparent colour",
         lambda: encode(Image.new("P", (6000, 4000)), "GIF", transparency=0)),
        ("blank white PNG", encode(np.full((300, 300), 255, np.uint8))),
        ("fully transparent PNG", _rgba((300, 300))),
        ("solid black JPEG", encode(np.zeros((300, 300), np.uint8), "JPEG")),
        ("solid grey GIF", encode(np.full((300, 300), 128, np.uint8), "GIF")),
        ("1x1 PNG", encode(np.zeros((1, 1), np.uint8))),
        ("CMYK JPEG of a digit", encode(Image.fromarray(digit_image()).convert("CMYK"), "JPEG")),
        ("PNG with a 4 MB text chunk", lambda: s["PNG"][:-12] + _chunk(
            b"tEXt", b"k\0" + b"x" * 4_000_000) + s["PNG"][-12:]),
    ]
    for fmt in ("GIF", "PNG", "JPEG", "WEBP", "BMP"):
        made += [(f"mutated {fmt} #{k}", mutate(s[fmt], rng)) for k in range(2)]
    made.append(("a digit photo (sanity check: read)", s["PNG"]))
    return [(name, data() if callable(data) else data) for name, data in made
            if names is None or name in names]


def _png_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _with(state: dict, raw=None, data=None) -> dict:
    drawing = dict(state.get("drawing") or {})
    if raw is not None:
        drawing["raw"] = raw
    if data is not None:
        drawing["data"] = data
    return {**state, "drawing": drawing}


def _paths(state: dict, fn) -> dict:
    raw = dict((state.get("drawing") or {}).get("raw") or {})
    raw["objects"] = [fn(o) for o in raw.get("objects") or []]
    return _with(state, raw=raw)


def path_object(points, width: float = 14) -> dict:
    """A free-drawn stroke as the canvas reports it in ``json_data``: a fabric.js path through
    ``points`` (canvas px) of brush ``width``, its numbers plain floats as JSON gives them."""
    pts = [[float(v) for v in p] for p in points]
    return {"type": "Path", "strokeWidth": width,
            "path": [["M", *pts[0]]] + [["L", *p] for p in pts[1:]]}


def canvas_changes() -> list[tuple[str, str, Change]]:
    """Tampered canvas states, ``(name, page, change)``; page is ``"draw"`` or ``"number"``."""
    long = [[float(x), 100.0 + 20 * np.sin(x / 9)] for x in np.linspace(0, 700, 8000)]
    return [
        ("PNG bomb 20000x20000 as the canvas image", "draw",
         lambda s: _with(s, data=_png_url(bomb_png(20000)))),
        ("LA-mode PNG as the canvas image", "draw",
         lambda s: _with(s, data=_png_url(encode(Image.new("LA", (280, 280)))))),
        ("bytes that are not an image", "draw", lambda s: _with(s, data=_png_url(b"x" * 500))),
        ("RGBA PNG 8192x8192", "draw",
         lambda s: _with(s, data=_png_url(_rgba((8192, 8192), (0, 0, 0, 255))))),
        ("JPEG data URL", "draw", lambda s: _with(
            s, data="data:image/jpeg;base64," + base64.b64encode(encode(
                np.zeros((280, 280), np.uint8), "JPEG")).decode())),
        ("not base64", "draw", lambda s: _with(s, data="data:image/png;base64,%%%%")),
        ("drawing is a string", "draw", lambda s: {**s, "drawing": "x"}),
        ("state is a list", "draw", lambda s: [1, 2, 3]),
        ("null coordinates", "number", lambda s: _paths(s, lambda o: {
            **o, "path": [["M", None, None]] + o["path"][1:]})),
        ("string coordinates", "number", lambda s: _paths(s, lambda o: {
            **o, "path": [["M", "10", "x"]] + o["path"][1:]})),
        ("stroke width 40,000", "number", lambda s: _paths(s, lambda o: {
            **o, "strokeWidth": 40000})),
        ("one digit spanning 0-20,000 px", "number", lambda s: _paths(s, lambda o: {
            **o, "path": o["path"] + [["L", 20000, 20000]]})),
        ("two strokes of 8,000 points", "number", lambda s: _with(s, raw={
            "objects": [path_object(long), path_object([[x, y + 30] for x, y in long])]})),
        ("1,000 strokes", "number", lambda s: _with(s, raw={
            "objects": [path_object([[i % 700, 50], [i % 700, 150]]) for i in range(1000)]})),
        ("a rectangle instead of a path", "number", lambda s: _with(s, raw={
            "objects": [{"type": "rect", "left": 0, "top": 0, "width": 1e9, "height": 1e9}]})),
        ("canvas image of the wrong size", "number", lambda s: _with(
            s, data=_png_url(_rgba((280, 280), (0, 0, 0, 255))))),
    ]
