"""Screenshots of pages at phone and desktop widths, to look at what a user sees.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000/ /countries/FR/ ...

Writes screenshots/<name>-<width>.png (git ignores the folder).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

WIDTHS = (390, 1280)
OUT = Path(__file__).resolve().parent.parent / "screenshots"


def main(base: str, paths: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking"],
        )
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            for path in paths or ["/"]:
                page.goto(base.rstrip("/") + path)
                page.wait_for_load_state("networkidle")
                name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
                page.screenshot(path=OUT / f"{name}-{width}.png", full_page=True)
                print(OUT / f"{name}-{width}.png")
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
