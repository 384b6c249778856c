"""`make screenshots`: the README's pictures, from the browser tests' screenshots.

The browser tests save every page at 1280 and 820 px as PNG in `build/screenshots/` (full pages, some
over a megabyte). This copies them to `docs/screenshots/` as JPEG at 60 % scale, encoded by the same
Debian Chromium the tests drive (no image library is installed for this alone): small enough to keep
in the repository, sharp enough to read. The harness's own self-test pictures are left out.
"""

from __future__ import annotations

import argparse
import base64
import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/lib/chromium/chromium"
SCALE = 0.6
QUALITY = 70
SKIPPED_PREFIX = "browser-harness"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def convert(source: Path, target: Path) -> list[Path]:
    """Every PNG in `source` as a scaled JPEG in `target`; the files written."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        for png in sorted(source.glob("*.png")):
            if png.name.startswith(SKIPPED_PREFIX):
                continue
            data = png.read_bytes()
            width = int(png_size(data)[0] * SCALE)
            page.set_viewport_size({"width": width, "height": 200})
            source_url = "data:image/png;base64," + base64.b64encode(data).decode()
            page.set_content(f'<body style="margin:0"><img style="width:{width}px;display:block" src="{source_url}">')
            out = target / f"{png.stem}.jpg"
            page.screenshot(path=str(out), type="jpeg", quality=QUALITY, full_page=True)
            written.append(out)
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("build/screenshots"))
    parser.add_argument("--target", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    if not any(args.source.glob("*.png")):
        parser.error(f"no screenshots in {args.source}: run `make test` (the browser tests save them) first")
    for path in convert(args.source, args.target):
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
