"""Screenshot of the web widget for the README: the demo page after one question with a source open.

    .venv/bin/python bench/screenshot_widget.py [--out docs/widget.png] [--url http://127.0.0.1:8000]

Without --url it ingests the bundled articles into a temporary data dir and serves them itself.
Uses Debian's Chromium (/usr/bin/chromium); never downloads a browser.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served_seed() -> Iterator[str]:
    """`briefbot serve` over the bundled articles in a temporary data dir."""
    data = tempfile.mkdtemp(prefix="widget-shot-")
    env = dict(os.environ, BRIEFBOT_DATA_DIR=data, HF_HUB_OFFLINE="1")
    cli = str(ROOT / ".venv" / "bin" / "briefbot")
    subprocess.run([cli, "ingest", str(ROOT / "data" / "articles")], env=env, check=True, capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([cli, "serve", "--port", str(port), "--log-level", "warning"], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("server never became ready")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def shoot(url: str, out: Path, width: int, height: int) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
        page.goto(url + "/")
        widget = page.locator("briefbot-widget")
        widget.get_by_role("button", name="What happens next?").click()
        widget.locator(".answer[data-state=done]").last.wait_for()
        widget.get_by_role("textbox").fill("Which outlet reported that?")
        widget.get_by_role("textbox").press("Enter")
        widget.locator(".answer[data-state=done]").nth(1).wait_for()
        widget.locator(".answer").first.get_by_role("button", name="Helpful", exact=True).click()
        widget.locator(".answer").last.locator(".marker").first.click()
        widget.locator(".card:not([hidden])").wait_for()
        # the follow-up question at the top of the conversation view
        widget.locator(".log").evaluate(
            "log => { log.style.scrollBehavior = 'auto'; log.scrollTop = log.querySelectorAll('.turn')[1].offsetTop - 12; }")
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.wait_for_timeout(300)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "widget.png")
    parser.add_argument("--url", help="an already running Briefbot (default: serve the bundled articles)")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=860)
    args = parser.parse_args()
    if args.url:
        shoot(args.url.rstrip("/"), args.out, args.width, args.height)
    else:
        with served_seed() as url:
            shoot(url, args.out, args.width, args.height)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
