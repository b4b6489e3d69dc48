"""Screenshots of the web widget for the README, in headless Chromium:

- docs/widget.png: the demo page after a question and a follow-up, a source open;
- docs/widget-launcher.png: a news page with the widget in launcher mode, opened, an answer in it;
- docs/widget-dark.png: the dark theme in launcher mode, an answer with a source card open.

    .venv/bin/python bench/screenshot_widget.py [--out-dir docs] [--url http://127.0.0.1:8000]

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


STORY = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The Daily Wire Desk</title>
<link rel="icon" href="data:,"><style>
body {{ margin: 0; font: 17px/1.6 Georgia, serif; color: {ink}; background: {background}; }}
header {{ background: #1d3557; color: #fff; padding: 14px 32px; font: 700 20px system-ui, sans-serif; }}
main {{ max-width: 680px; margin: 32px 60px; }} h1 {{ font-size: 32px; line-height: 1.2; }}
</style></head><body><header>The Daily Wire Desk</header><main>
<h1>Putin’s peace signal: what each side wants</h1>
<p>Moscow floated direct talks in Istanbul while European leaders pressed for an unconditional ceasefire.
Kyiv says there will be no talks without a ceasefire and security guarantees.</p>
<p>Ask the desk’s assistant about the positions and the next steps — every answer names its source.</p>
</main><script src="/widget.js" {attributes}></script></body></html>"""


def story_page(browser, url: str, attributes: str, width: int, height: int, dark: bool = False):  # type: ignore[no-untyped-def]
    """A news page on the server's own origin (served by Playwright) that embeds the widget."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    html = STORY.format(attributes=attributes, background="#0d1117" if dark else "#fff", ink="#d0d7de" if dark else "#222")
    page.route(f"{url}/story", lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
    page.goto(f"{url}/story")
    return page


def shoot(url: str, out_dir: Path, width: int, height: int) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        shots = [shoot_demo(browser, url, out_dir / "widget.png", width, height),
                 shoot_launcher(browser, url, out_dir / "widget-launcher.png", width, height),
                 shoot_dark(browser, url, out_dir / "widget-dark.png", width, height)]
        browser.close()
    return shots


def shoot_demo(browser, url: str, out: Path, width: int, height: int) -> Path:  # type: ignore[no-untyped-def]
    """The demo page: a starter question, a follow-up, thumbs up and a source card open."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    page.goto(url + "/")
    widget = page.locator("briefbot-widget")
    widget.get_by_role("button", name="What does Zelenskyy want?").click()
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
    page.screenshot(path=str(out))
    return out


def shoot_launcher(browser, url: str, out: Path, width: int, height: int) -> Path:  # type: ignore[no-untyped-def]
    """Launcher mode: the floating button opened over a news page, one answer with its date line."""
    page = story_page(browser, url, 'data-mode="launcher" data-title="Ask the desk" data-accent="#1d3557" '
                      'data-questions="What did European leaders ask for?|Would Putin meet Zelenskyy?" '
                      'data-disclaimer="Answers come only from the articles we link; check the sources."', width, height)
    widget = page.locator("briefbot-widget")
    widget.get_by_role("button", name="Open Ask the desk").click()
    widget.get_by_role("button", name="What did European leaders ask for?").click()
    widget.locator(".answer[data-state=done]").last.wait_for()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(300)
    page.screenshot(path=str(out))
    return out


def shoot_dark(browser, url: str, out: Path, width: int, height: int) -> Path:  # type: ignore[no-untyped-def]
    """The dark theme (launcher mode on a dark page): an answer with a source card open."""
    page = story_page(browser, url, 'data-mode="launcher" data-theme="dark" data-title="Briefbot"', width, height, dark=True)
    widget = page.locator("briefbot-widget")
    widget.get_by_role("button", name="Open Briefbot").click()
    widget.get_by_role("textbox").fill("What does Zelenskyy want?")
    widget.get_by_role("textbox").press("Enter")
    widget.locator(".answer[data-state=done]").last.wait_for()
    widget.locator(".answer").last.locator(".marker").first.click()
    widget.locator(".card:not([hidden])").wait_for()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(300)
    page.screenshot(path=str(out))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    parser.add_argument("--url", help="an already running Briefbot (default: serve the bundled articles)")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=860)
    args = parser.parse_args()
    if args.url:
        shots = shoot(args.url.rstrip("/"), args.out_dir, args.width, args.height)
    else:
        with served_seed() as url:
            shots = shoot(url, args.out_dir, args.width, args.height)
    for shot in shots:
        print(f"wrote {shot} ({shot.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
