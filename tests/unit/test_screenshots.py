"""`make screenshots` reads each PNG's size from its header and refuses anything else."""

from __future__ import annotations

import struct
import zlib

import pytest

from plexlabor_dev.screenshots import png_size


def _png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def test_the_size_comes_from_the_header() -> None:
    assert png_size(_png(1280, 1371)) == (1280, 1371)


def test_a_file_that_is_not_a_png_is_refused() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"\xff\xd8\xff\xe0 a jpeg")
