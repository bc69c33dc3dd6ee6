"""Uploaded images: safe decoding of bad files, and photos of pen-drawn digits read right."""

import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support.photos import SAMPLES, bomb_png, encode, on_table, photo

from lenet5.core import photo as up
from lenet5.core.predictor import Predictor
from lenet5.core.preprocess import preprocess
from lenet5.core.reader import Reader
from lenet5.eval import hostile

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def predictor():
    return Reader(Predictor())


def read(data: bytes, predictor) -> int | str:
    result = predictor.read(up.photo_ink(up.decode(data).image), medium="photo")
    return result.reading.digit if result.ok else result.pre.reason


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_photos_of_pen_drawn_digits_are_read(predictor, fmt):
    got = [read(encode(photo(s, seed=i), fmt), predictor) for i, s in enumerate(SAMPLES)]
    assert got == [s["label"] for s in SAMPLES]


def test_uneven_light_defeats_plain_preprocessing_but_not_photo_ink(predictor):
    """Why photo_ink exists: the shaded paper itself looks like ink to a global threshold."""
    plain = [preprocess(photo(s), dark_background=None) for s in SAMPLES]
    right = [p.ok and predictor.modern(p.image).digit == s["label"]
             for p, s in zip(plain, SAMPLES, strict=True)]
    assert sum(right) < len(SAMPLES) / 2


def test_paper_on_a_table_is_read(predictor):
    """The table around the paper is darker than the paper and touches the picture's edge."""
    got = [read(encode(on_table(s, seed=i), "JPEG"), predictor) for i, s in enumerate(SAMPLES)]
    assert got == [s["label"] for s in SAMPLES]


def test_edge_ink_is_dropped_only_when_a_digit_is_left():
    band = np.zeros((100, 100), np.uint8)
    band[:, :8] = 200  # along the left edge
    digit = band.copy()
    digit[30:70, 45:52] = 255  # a "1" in the middle
    assert np.array_equal(up.drop_edge_ink(digit), np.where(band > 0, 0, digit))
    speck = band.copy()
    speck[50, 50] = 255  # too small to be the digit: the edge ink stays
    assert np.array_equal(up.drop_edge_ink(speck), speck)
    assert np.array_equal(up.drop_edge_ink(band), band)  # only edge ink: it is the digit


def test_chalk_on_a_dark_board_is_read(predictor):
    s = SAMPLES[6]
    assert read(encode(255 - photo(s)), predictor) == s["label"]


def test_paper_shading_is_removed_exactly_for_a_linear_ramp():
    ramp = np.tile(np.linspace(120, 240, 300), (200, 1)).astype(np.uint8)
    assert np.abs(up.paper_background(ramp).astype(int) - ramp).max() <= 1
    assert not up.photo_ink(ramp).any()


def test_photo_ink_against_a_numpy_reference():
    """A dark bar on a ramp: ink = (paper - bar) stretched so the strongest is 255."""
    ramp = np.tile(np.linspace(120, 240, 300), (200, 1))
    img = ramp.copy()
    img[80:100, 50:250] = 30
    expected = np.zeros_like(ramp)
    expected[80:100, 50:250] = ramp[80:100, 50:250] - 30
    expected *= 255 / expected.max()
    got = up.photo_ink(np.rint(img).astype(np.uint8)).astype(float)
    assert np.abs(got - expected).max() <= 3


def test_exif_rotated_jpeg_is_turned_upright(predictor):
    s = SAMPLES[14]
    upright = photo(s, size=(480, 360))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned a quarter left; shown after a quarter turn right
    data = encode(np.rot90(upright), "JPEG", exif=exif, quality=95)
    got = up.decode(data).image
    assert got.shape == upright.shape
    assert np.abs(got.astype(int) - upright).mean() < 3
    assert read(data, predictor) == s["label"]


def test_sixteen_bit_png_keeps_its_contrast(predictor):
    """Dark ink on light paper at 16 bits: both are above 255, so clipping would erase the digit."""
    s = SAMPLES[8]
    deep = photo(s, size=(300, 400)).astype(np.uint16) * 257  # 0-255 -> 0-65535
    data = encode(Image.fromarray(deep))
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    assert np.array_equal(up.decode(data).image, (deep >> 8).astype(np.uint8))
    assert read(data, predictor) == s["label"]


def test_palette_pngs_are_read(predictor):
    s = SAMPLES[10]
    quantised = Image.fromarray(photo(s)).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    assert read(encode(quantised), predictor) == s["label"]
    # a white digit on a transparent palette background (index 0 transparent)
    ink = photo(s) < 100
    pal = Image.fromarray(ink.astype(np.uint8), "P")
    pal.putpalette([0, 0, 0, 255, 255, 255])
    data = encode(pal, transparency=0)
    assert up.decode(data).image.ndim == 3
    assert read(data, predictor) == s["label"]


def test_animated_gif_reads_its_first_frame(predictor):
    first, second = (Image.fromarray(photo(SAMPLES[i])) for i in (6, 15))
    data = encode(first, "GIF", save_all=True, append_images=[second], duration=200, loop=0)
    decoded = up.decode(data)
    assert "first frame" in decoded.note
    assert read(data, predictor) == SAMPLES[6]["label"]


@pytest.mark.parametrize("fmt, mode", [("JPEG", "L"), ("PNG", "L"), ("PNG", "RGBA"),
                                       ("WEBP", "RGB"), ("GIF", "P")])
def test_big_images_are_reduced_keeping_the_digit(predictor, fmt, mode):
    s = SAMPLES[12]
    big = photo(s, size=(1200, 1500), brush=40)
    im = Image.fromarray(big).convert(mode)
    got = up.decode(encode(im, fmt)).image
    assert got.shape[:2] == (410, 512)
    small = np.asarray(Image.fromarray(big).resize((512, 410), Image.Resampling.BOX))
    grey = got if got.ndim == 2 else got[..., 0]
    assert np.abs(grey.astype(int) - small).mean() < 6  # the same picture, only smaller
    assert read(encode(im, fmt), predictor) == s["label"]


def test_blank_transparent_and_solid_photos_get_photo_words(predictor):
    for image in (np.full((300, 300), 255, np.uint8), np.zeros((300, 300), np.uint8),
                  np.zeros((300, 300, 4), np.uint8), np.full((300, 300), 90, np.uint8)):
        result = predictor.read(up.photo_ink(up.decode(encode(image)).image), medium="photo")
        assert "photo" in result.pre.reason and "canvas" not in result.pre.reason


MEASURE = """
import resource, sys
from lenet5.eval import hostile
from lenet5.core import photo as up
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    up.decode(data)
except up.UploadError:
    pass
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.parametrize("name", [
    "PNG 16-bit 4898x4898", "PNG RGBA 6000x4000, transparent", "WebP RGBA 4000x2000",
    "GIF 6000x4000 with a transparent colour", "PNG 1 x 24,000,000"])
def test_one_upload_adds_at_most_150_mb(tmp_path, name):
    """Peak memory of decoding, in a fresh process (its high-water mark before and after). These
    took 185-535 MB before the decoder reduced each band before widening anything."""
    data = dict(hostile.uploads_by_name([name]))[name]
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    assert int(out.stdout) <= 150, (name, out.stdout)


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"hello, this is a text file\n" * 20, "not an image"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "not an image"),
    (b"GIF89a" + b"\0" * 4, "not an image"),
])
def test_non_images_are_refused_with_a_message(data, words):
    with pytest.raises(up.UploadError, match=words):
        up.decode(data)


def test_formats_that_need_other_programs_are_not_opened():
    tiff = encode(photo(SAMPLES[0]), "TIFF")
    with pytest.raises(up.UploadError, match="not an image this page reads"):
        up.decode(tiff)


def test_truncated_png_is_refused():
    data = encode(photo(SAMPLES[2]))
    with pytest.raises(up.UploadError, match="damaged or incomplete"):
        up.decode(data[: len(data) // 2])


@pytest.mark.parametrize("side", [20000, 6000])
def test_decompression_bombs_are_refused_before_decoding(side):
    data = bomb_png(side)
    assert len(data) < 100_000
    with pytest.raises(up.UploadError, match="million"):  # how fast: lenet5.bench's gate
        up.decode(data)


def test_huge_files_are_refused_and_the_server_caps_uploads_alike():
    with pytest.raises(up.UploadError, match="larger than 5 MB"):
        up.decode(b"\x89PNG" + b"\0" * up.MAX_BYTES)
    config = (ROOT / ".streamlit" / "config.toml").read_text()  # tomllib needs Python 3.11
    assert int(re.search(r"^maxUploadSize\s*=\s*(\d+)", config, re.M)[1]) * 2**20 == up.MAX_BYTES
