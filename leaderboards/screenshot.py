"""Headless Chromium for the report site: the README's screenshot and the browser test.

``python -m leaderboards.screenshot SITE OUT.png [--height PX]`` opens ``SITE/index.html``
from disk in Debian's Chromium (packages ``chromium`` and ``chromium-driver``), driven by
Selenium, and saves what a reader sees first (``--height 0``: the whole page). Nothing is
fetched from a network, and Chromium is told not to try: this machine refuses it.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
DRIVER = "/usr/bin/chromedriver"
WIDTH = 1400
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-sync",
         "--disable-component-update", f"--window-size={WIDTH},1000")  # fmt: skip


def missing() -> str | None:
    """Why a browser cannot be started here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if not any(Path(p).exists() for p in CHROMIUM) or not Path(DRIVER).exists():
        return ("Chromium and its driver are not installed "
                "(apt-get install chromium chromium-driver, or run .ci/browser-up)")  # fmt: skip
    return None


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium WebDriver that records the page console; quit on exit."""
    why = missing()
    if why:
        raise RuntimeError(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = next(p for p in CHROMIUM if Path(p).exists())
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: Any, path: str | Path, height: int = 0) -> Path:
    """Save the page as PNG: the first ``height`` pixels, or the whole page when 0."""
    if not height:  # measured in a short window: a tall one would pad the page to its own size
        driver.set_window_size(WIDTH, 600)
        height = int(driver.execute_script("return document.documentElement.scrollHeight"))
        height = min(max(height, 600), 12000)
    driver.set_window_size(WIDTH, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    # The window's size includes its frame: grow it by the frame so the page gets the pixels.
    driver.set_window_size(2 * WIDTH - int(inner[0]), 2 * height - int(inner[1]))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not driver.save_screenshot(str(path)):
        raise RuntimeError(f"{path}: Chromium saved no screenshot")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a folder written by `vsumbench report`")
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--height", type=int, default=1100, help="pixels; 0: the whole page")
    args = parser.parse_args(argv)
    index = args.site / "index.html"
    if not index.is_file():
        parser.error(f"{index} not found: run `vsumbench report --out {args.site}` first")
    try:
        with chromium() as driver:
            driver.get(index.resolve().as_uri())
            screenshot(driver, args.out, args.height)
    except RuntimeError as exc:
        print(f"screenshot not taken: {exc}")
        return 1
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
