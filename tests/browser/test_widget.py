"""The web widget in real headless Chromium, against a real uvicorn server over the real model.

Chromium is Debian's (/usr/bin/chromium, installed by `make chromium`); nothing is downloaded.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, SEED, SEED_ALIASES, SEED_FILE, LiveServer, make_bot

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: run `make chromium` (as root) to install Debian's chromium", allow_module_level=True)

from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect, sync_playwright  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
TOKEN = "widget-test-admin-token"
SEED_TEXT = " ".join(SEED_FILE.read_text(encoding="utf-8").split())

# Records the answer text each time the widget's DOM changes while an answer is streaming.
RECORD_PARTIAL_ANSWERS = """
window.__partials = [];
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  const root = attach.call(this, init);
  new MutationObserver(() => {
    for (const node of root.querySelectorAll('.answer[data-state="streaming"] .answer-text')) window.__partials.push(node.textContent);
  }).observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  return root;
};
"""


class Site:
    """Another origin (a second loopback port) serving pages that embed the widget from the API server."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server hook
                body = pages.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "not found").encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.server.shutdown()


@pytest.fixture(scope="module")
def widget_bot(tmp_path_factory, embedder, site):  # type: ignore[no-untyped-def]
    """The seed article; the admin token set; `site` allowed to call the API from the browser."""
    return make_bot(tmp_path_factory.mktemp("widget"), embedder, SEED, admin_token=TOKEN, cors_origins=[site.origin],
                    aliases_file=SEED_ALIASES)  # the seed as `make run` serves it


@pytest.fixture(scope="module")
def widget_server(widget_bot):  # type: ignore[no-untyped-def]
    from bot.api import create_app

    with LiveServer(create_app(bot=widget_bot)) as server:
        yield server


class Watch:
    """Everything the page must never do: raise, log an error, open a dialog."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", self._console)
        page.on("dialog", self._dialog)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def new_page(browser: Browser, **context: Any) -> tuple[Page, Watch]:
    page = browser.new_context(**context).new_page()
    return page, Watch(page)


def wait_done(page: Page, n: int) -> None:
    """Wait until the widget shows `n` finished answers."""
    expect(page.locator("briefbot-widget .answer[data-state=done]")).to_have_count(n, timeout=60_000)  # a busy CI machine


def stored(page: Page, api: str) -> dict:  # type: ignore[type-arg]
    return json.loads(page.evaluate("key => localStorage.getItem(key)", f"briefbot:{api}"))  # type: ignore[no-any-return]


def test_ask_cite_follow_up_reload_and_rate_on_the_demo_page(browser, widget_server, widget_bot) -> None:  # type: ignore[no-untyped-def]
    page, watch = new_page(browser, viewport={"width": 1200, "height": 900})
    page.add_init_script(RECORD_PARTIAL_ANSWERS)
    page.goto(widget_server.url + "/")
    expect(page.locator("#articles h3")).to_have_text(["Putin’s Ukraine Peace Signal Looks Like a Tactical Reset"])
    widget = page.locator("briefbot-widget")
    expect(widget.get_by_role("heading", name="Briefbot")).to_be_visible()

    # A starter chip asks the first question; the answer streams in over SSE.
    with page.expect_response("**/v1/ask/stream") as response:
        widget.get_by_role("button", name="Would Putin meet Zelenskyy?").click()
    assert response.value.headers["content-type"].startswith("text/event-stream")
    wait_done(page, 1)
    first = widget.locator("article.turn").nth(0)
    final = first.locator(".answer-text").text_content() or ""
    partials = page.evaluate("window.__partials")
    assert any(0 < len(p) < len(final) and final.startswith(p) for p in partials), "the text appeared piece by piece"
    assert "third country" in final and "Al Jazeera" in final

    # A follow-up typed into the box (Enter submits) resolves "he"/"him" from the conversation.
    box = widget.get_by_role("textbox", name="Ask Briefbot a question")
    box.fill("Where would he meet him?")
    box.press("Enter")
    wait_done(page, 2)
    second = widget.locator("article.turn").nth(1)
    expect(second.locator(".answer-text")).to_contain_text("third country")
    expect(box).to_have_value("")

    conv = stored(page, widget_server.url)["conversationId"]
    turns = httpx.get(f"{widget_server.url}/v1/conversations/{conv}").json()["turns"]
    assert [t["question"] for t in turns] == ["Would Putin meet Zelenskyy?", "Where would he meet him?"]
    cited = turns[1]["citations"][0]

    # [1] opens a card with the outlet, the article title and the verbatim quote.
    marker = second.locator("button.marker", has_text="[1]")
    expect(marker).to_have_attribute("aria-expanded", "false")
    marker.click()
    card = second.locator(".card")
    expect(card).to_be_visible()
    expect(marker).to_have_attribute("aria-expanded", "true")
    expect(card.locator(".outlet")).to_have_text(", ".join(cited["outlets"]))
    assert cited["outlets"] == ["Al Jazeera"]
    expect(card.locator(".article-title")).to_have_text(cited["article_title"])
    expect(card.locator("blockquote")).to_have_text(cited["quote"])
    assert " ".join(cited["quote"].split()) in SEED_TEXT
    expect(card.get_by_role("link")).to_have_count(0)  # the seed has no URL
    expect(second.get_by_role("button", name="Source 1: Al Jazeera").first).to_be_visible()

    # A reload keeps the conversation (localStorage), and the [n] buttons still work.
    page.reload()
    expect(widget.locator("article.turn")).to_have_count(2)
    expect(widget.locator("article.turn .question")).to_have_text(
        ["You asked: Would Putin meet Zelenskyy?", "You asked: Where would he meet him?"])
    expect(widget.locator("article.turn").nth(1).locator(".answer-text")).to_have_text(turns[1]["answer"])
    widget.locator("article.turn").nth(1).locator("button.marker", has_text="[1]").click()
    expect(widget.locator("article.turn").nth(1).locator(".card blockquote")).to_have_text(cited["quote"])

    # Thumbs up on the second answer and down on the first reach the server for the right turns.
    for n, name in ((1, "Helpful"), (0, "Not helpful")):
        button = widget.locator("article.turn").nth(n).get_by_role("button", name=name, exact=True)
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
    recorded = {(f["turn"], f["rating"]) for f in widget_bot.conversations.feedback() if f["conversation_id"] == conv}
    assert recorded == {(1, "up"), (0, "down")}
    assert [t.get("rating") for t in stored(page, widget_server.url)["turns"]] == ["down", "up"]

    # A new chat forgets the conversation.
    widget.get_by_role("button", name="New chat").click()
    expect(widget.locator("article.turn")).to_have_count(0)
    expect(widget.get_by_role("button", name="What happens next?")).to_be_visible()
    assert page.evaluate("key => localStorage.getItem(key)", f"briefbot:{widget_server.url}") is None
    assert watch.errors == [] and watch.dialogs == []


def test_keyboard_screen_reader_phone_width_and_not_grounded_answers(browser, widget_server) -> None:  # type: ignore[no-untyped-def]
    page, watch = new_page(browser, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(widget_server.url + "/")
    widget = page.locator("briefbot-widget")
    box = widget.get_by_role("textbox", name="Ask Briefbot a question")
    expect(box).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "nothing overflows a phone screen"
    panel = widget.locator(".panel").bounding_box()
    assert panel is not None and panel["x"] >= 0 and panel["x"] + panel["width"] <= 360

    # Keyboard only: Tab reaches the box, Enter asks.
    box.focus()
    page.keyboard.type("What does Zelenskyy want?")
    page.keyboard.press("Enter")
    wait_done(page, 1)
    answer_text = widget.locator(".answer-text").first.text_content() or ""
    expect(widget.locator("[aria-live=polite]")).to_have_text(f"Briefbot answered: {answer_text}")
    expect(widget.locator(".answer").first).to_have_attribute("aria-busy", "false")

    # Shift+Tab walks back from the box into the answer's controls, all real buttons.
    box.focus()
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("document.activeElement.shadowRoot.activeElement.tagName")
    assert focused == "BUTTON"
    marker = widget.locator("button.marker").first
    marker.focus()
    page.keyboard.press("Enter")
    card = widget.locator(".card").first
    expect(card).to_be_visible()
    expect(card).to_be_focused()
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(marker).to_be_focused()
    card_box = widget.locator(".answer").first.bounding_box()
    assert card_box is not None and card_box["x"] + card_box["width"] <= 360

    # An off-topic question: not grounded, shown as such, with no sources and no [n].
    box.fill("Give me a recipe for banana bread.")
    widget.get_by_role("button", name="Ask", exact=True).click()
    wait_done(page, 2)
    ungrounded = widget.locator(".answer").nth(1)
    expect(ungrounded).to_have_class("answer ungrounded")
    expect(ungrounded.locator(".badge")).to_have_text("The articles don't say")
    expect(ungrounded.locator(".sources, .marker")).to_have_count(0)
    expect(widget.locator("[aria-live=polite]")).to_contain_text("The articles don't say.")
    assert watch.errors == [] and watch.dialogs == []


HOSTILE = {
    "id": "harbour-deal",
    "title": 'Harbour deal <img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>',
    "outlet": '<img src=x onerror="window.__pwned=3">Wire<svg onload="window.__pwned=8">',
    "url": "javascript:window.__pwned=4",
    "text": 'Dockers in Rotterdam agreed a harbour pay deal on Monday <script>window.__pwned=5</script>'
            '<img src=x onerror="window.__pwned=6;alert(6)">, the union said.\n'
            'The deal ends a two-week strike at the harbour, according to <b onmouseover="window.__pwned=7">Reuters</b>.',
}
LINKED = {
    "id": "port-fees", "title": "Port fees rise", "outlet": "Harbour Times", "url": "https://news.example/port-fees",
    "text": "Rotterdam port fees will rise by four percent next year, the port authority said.",
}


def test_article_text_with_html_and_scripts_is_shown_literally_and_never_runs(browser, tmp_path, embedder) -> None:  # type: ignore[no-untyped-def]
    from bot.api import create_app

    bot = make_bot(tmp_path / "hostile", embedder, admin_token=TOKEN)
    with LiveServer(create_app(bot=bot)) as server:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        refused = httpx.post(f"{server.url}/v1/articles", json=HOSTILE, headers=auth, timeout=120)
        assert refused.status_code == 422 and "url must be an http(s) URL" in refused.json()["detail"]
        for record in ({**HOSTILE, "url": None}, LINKED):
            r = httpx.post(f"{server.url}/v1/articles", json=record, headers=auth, timeout=120)
            assert r.status_code == 201, r.text
        page, watch = new_page(browser, viewport={"width": 1200, "height": 900})
        page.goto(server.url + "/")
        expect(page.locator("#articles h3")).to_have_count(2)
        expect(page.locator("#articles h3", has_text="Harbour deal")).to_have_text(HOSTILE["title"])
        expect(page.locator("#articles p", has_text="Wire")).to_contain_text(HOSTILE["outlet"])

        widget = page.locator("briefbot-widget")
        box = widget.get_by_role("textbox", name="Ask Briefbot a question")
        box.fill("What did the dockers in Rotterdam agree?")
        box.press("Enter")
        wait_done(page, 1)
        answer = widget.locator(".answer-text").first
        expect(answer).to_contain_text('pay deal on Monday <script>window.__pwned=5</script><img src=x onerror="window.__pwned=6;alert(6)">')
        widget.locator("button.marker", has_text="[1]").first.click()
        card = widget.locator(".card").first
        expect(card.locator(".outlet")).to_have_text(HOSTILE["outlet"])
        expect(card.locator(".article-title")).to_have_text(HOSTILE["title"])
        expect(card.locator("blockquote")).to_contain_text("<script>window.__pwned=5</script>")
        expect(card.get_by_role("link")).to_have_count(0)  # the javascript: URL was refused at ingest
        expect(widget.locator(".source .label").first).to_have_text(HOSTILE["outlet"])

        box.fill("How did the harbour strike end?")
        box.press("Enter")
        wait_done(page, 2)
        expect(widget.locator(".answer-text").nth(1)).to_contain_text('<b onmouseover="window.__pwned=7">Reuters</b>')
        widget.locator(".answer-text").nth(1).hover()

        # An http(s) URL does become a link, opened safely in a new tab.
        box.fill("How much will Rotterdam port fees rise?")
        box.press("Enter")
        wait_done(page, 3)
        widget.locator("article.turn").nth(2).locator("button.marker", has_text="[1]").click()
        link = widget.locator("article.turn").nth(2).get_by_role("link", name="Read the article")
        expect(link).to_have_attribute("href", "https://news.example/port-fees")
        expect(link).to_have_attribute("rel", "noopener noreferrer")

        # The briefing's headings and lists are built from the API's structure: article text stays text.
        widget.get_by_role("button", name="Brief me: who wants what and what happens next").click()
        wait_done(page, 4)
        expect(widget.locator("article.turn").nth(3).locator(".answer-text")).to_contain_text("<script>window.__pwned=5</script>")

        page.reload()  # the stored turns are rendered again, still as text
        wait_done(page, 4)
        widget.locator("button.marker", has_text="[1]").first.click()
        page.wait_for_timeout(500)  # time for any injected <img onerror> to have fired
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert watch.dialogs == []
        injected = page.evaluate("""() => {
            const root = document.querySelector('briefbot-widget').shadowRoot;
            return root.querySelectorAll('img, script, b, iframe, [onerror], [onload], [onmouseover]').length
                 + document.querySelectorAll('#articles img, #articles script, #articles svg').length;
        }""")
        assert injected == 0


HOST_PAGE = """<!doctype html><html><head><title>A newsroom</title><link rel="icon" href="data:,">
<style>* {{ color: red !important; font-family: serif !important; font-size: 30px !important; }}
button, input {{ display: none !important; }} .panel, .answer {{ background: black !important; }}</style></head>
<body><h1>Our coverage</h1>
<script src="{api}/widget.js" data-api="{api}" data-title="Ask the desk" data-accent="#c2185b"
        data-questions="What happens next?|Who gains and who loses?"></script></body></html>"""


def test_embedded_on_another_origin_with_cors_and_hostile_page_css(browser, site, widget_server, widget_bot, seed_server) -> None:  # type: ignore[no-untyped-def]
    site.pages["/story"] = HOST_PAGE.format(api=widget_server.url)
    site.pages["/no-cors"] = HOST_PAGE.format(api=seed_server.url)  # that server allows no other origin
    page, watch = new_page(browser, viewport={"width": 900, "height": 800})
    page.goto(site.origin + "/story")
    widget = page.locator("briefbot-widget")
    expect(widget.get_by_role("heading", name="Ask the desk")).to_be_visible()
    chip = widget.get_by_role("button", name="Who gains and who loses?")
    expect(chip).to_be_visible()  # the page's `button { display: none }` does not reach inside
    chip.click()
    wait_done(page, 1)
    expect(widget.locator(".source .label").first).to_have_text("Analysis")
    style = page.evaluate("""() => {
        const root = document.querySelector('briefbot-widget').shadowRoot;
        const text = getComputedStyle(root.querySelector('.answer-text'));
        return [text.color, text.fontSize, getComputedStyle(root.querySelector('.logo')).backgroundColor];
    }""")
    assert style == ["rgb(28, 33, 40)", "15px", "rgb(194, 24, 91)"], style
    widget.get_by_role("button", name="Helpful", exact=True).click()
    expect(widget.get_by_role("button", name="Helpful", exact=True)).to_have_attribute("aria-pressed", "true")
    conv = stored(page, widget_server.url)["conversationId"]
    assert any(f["conversation_id"] == conv and f["rating"] == "up" for f in widget_bot.conversations.feedback())
    assert watch.errors == []

    # Against a server that does not list this origin, the browser refuses and the widget says so.
    page.goto(site.origin + "/no-cors")
    widget.get_by_role("button", name="What happens next?").click()
    failed = widget.locator(".answer.failed")
    expect(failed).to_contain_text("could not be reached")
    expect(failed.get_by_role("button", name="Try again")).to_be_visible()
    expect(widget.get_by_role("alert")).to_contain_text("could not be reached")


def test_brief_me_shows_the_cited_briefing_and_survives_a_reload(browser, widget_server) -> None:  # type: ignore[no-untyped-def]
    page, watch = new_page(browser, viewport={"width": 1200, "height": 900})
    page.goto(widget_server.url + "/")
    widget = page.locator("briefbot-widget")
    with page.expect_response("**/v1/briefing") as response:
        widget.get_by_role("button", name="Brief me: who wants what and what happens next").click()
    briefing = response.value.json()
    wait_done(page, 1)
    text = widget.locator("article.turn .answer-text").text_content() or ""
    for heading in ("Positions", "Next steps / what to watch", "Who gains, who loses", "Who reported what"):
        assert heading in text
    for needle in ("Russia: ", "Ukraine: ", "Al Jazeera", "POLITICO and BBC reported", "May 15"):
        assert needle in text
    expect(widget.locator("article.turn .rate")).to_have_count(0)  # a briefing is not a conversation turn
    widget.locator("article.turn button.marker", has_text="[1]").first.click()
    expect(widget.locator("article.turn .card blockquote")).to_have_text(briefing["citations"][0]["quote"])
    page.reload()
    expect(widget.locator("article.turn")).to_have_count(1)
    expect(widget.locator("article.turn .answer-text")).to_contain_text("Who reported what")
    # a question after the briefing starts the conversation at turn 0
    widget.get_by_role("textbox", name="Ask Briefbot a question").fill("What does Zelenskyy want?")
    widget.get_by_role("textbox", name="Ask Briefbot a question").press("Enter")
    wait_done(page, 2)
    conv = stored(page, widget_server.url)["conversationId"]
    turns = httpx.get(f"{widget_server.url}/v1/conversations/{conv}").json()["turns"]
    assert [t["index"] for t in turns] == [0]
    assert not watch.errors and not watch.dialogs


# ----- launcher, themes, rich briefing, localisation, feedback comments, dated answers ----------
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8" fill="#c2185b"/></svg>'


def widget_page(browser: Browser, server: LiveServer, attributes: str, **context: Any) -> tuple[Page, Watch]:
    """A page on the API's own origin (so no CORS) whose only content is the widget's script tag."""
    page, watch = new_page(browser, **{"viewport": {"width": 1200, "height": 900}, **context})
    page.route(f"{server.url}/logo-test.svg", lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=LOGO))
    html = (f'<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>Story</title><link rel="icon" href="data:,"></head><body><h1>A story</h1><p>Text of the story.</p>'
            f'<script src="/widget.js" {attributes}></script></body></html>')
    page.route(f"{server.url}/story", lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
    page.goto(f"{server.url}/story")
    return page, watch


# WCAG relative luminance and contrast of every visible text in the widget against the background it sits on.
CONTRAST = """() => {
  const root = document.querySelector('briefbot-widget').shadowRoot;
  const parse = (value) => {
    let m = value.match(/^rgba?\\(([^)]+)\\)/);
    if (m) { const p = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number); return [p[0] / 255, p[1] / 255, p[2] / 255, p.length > 3 ? p[3] : 1]; }
    m = value.match(/^color\\(srgb ([^)]+)\\)/);
    if (m) { const p = m[1].split(/[\\s/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
    throw new Error('unparsed colour ' + value);
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const parentOf = (node) => node.parentElement || (node.getRootNode().host ?? null);
  const background = (node) => {
    for (let n = node; n; n = parentOf(n)) {
      const bg = parse(getComputedStyle(n).backgroundColor);
      if (bg[3] > 0) return bg[3] >= 1 ? bg : over(bg, background(parentOf(n) || document.body));
    }
    return [1, 1, 1, 1];
  };
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const failures = []; let checked = 0;
  for (const node of root.querySelectorAll('*')) {
    const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    const style = getComputedStyle(node);
    if (!own || !node.getClientRects().length || style.visibility !== 'visible' || node.closest('.sr-only')) continue;
    if (node.closest('[disabled], .pending') || Number(style.opacity) < 1) continue;
    const fg = over(parse(style.color), background(node));
    const bg = background(node);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    checked += 1;
    if (ratio < 4.5) failures.push(`${node.className || node.tagName}: "${node.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return { checked, failures };
}"""


def test_launcher_opens_and_closes_by_mouse_and_keyboard(browser, widget_server) -> None:  # type: ignore[no-untyped-def]
    page, watch = widget_page(browser, widget_server, 'data-mode="launcher" data-position="bottom-left" data-title="Desk"')
    widget = page.locator("briefbot-widget")
    launcher = widget.get_by_role("button", name="Open Desk")
    panel = widget.get_by_role("dialog", name="Desk")
    expect(launcher).to_be_visible()
    expect(panel).to_be_hidden()
    box = launcher.bounding_box()
    assert box is not None and box["x"] < 100 and box["y"] > 900 - 100, f"bottom-left corner: {box}"
    expect(page.locator("h1")).to_be_visible()  # the page is untouched until the launcher is used

    launcher.click()
    expect(panel).to_be_visible()
    question = widget.get_by_role("textbox", name="Ask Desk a question")
    expect(question).to_be_focused()
    expect(widget.locator(".launcher")).to_have_attribute("aria-expanded", "true")
    frame = panel.bounding_box()
    assert frame is not None and frame["x"] < 100 and frame["width"] <= 400, "an overlay above the corner, not the page"
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(widget.locator(".launcher")).to_be_focused()
    expect(widget.locator(".launcher")).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")  # the focused launcher opens it again
    expect(panel).to_be_visible()
    question.fill("What did European leaders ask for?")
    question.press("Enter")
    wait_done(page, 1)
    widget.locator("button.marker").first.click()
    expect(widget.locator(".card")).to_be_visible()
    page.keyboard.press("Escape")  # closes the card first, not the panel
    expect(widget.locator(".card")).to_be_hidden()
    expect(panel).to_be_visible()
    widget.locator(".close-panel").click()
    expect(panel).to_be_hidden()
    expect(widget.locator(".launcher")).to_be_focused()
    widget.locator(".launcher").click()
    expect(panel).to_be_visible()
    widget.locator(".launcher").click()  # the launcher also closes it
    expect(panel).to_be_hidden()
    assert watch.errors == [] and watch.dialogs == []


def test_launcher_panel_is_full_screen_on_a_phone(browser, widget_server) -> None:  # type: ignore[no-untyped-def]
    page, watch = widget_page(browser, widget_server, 'data-mode="launcher"', viewport={"width": 360, "height": 740},
                              is_mobile=True, has_touch=True)
    widget = page.locator("briefbot-widget")
    launcher = widget.get_by_role("button", name="Open Briefbot")
    box = launcher.bounding_box()
    assert box is not None and box["x"] + box["width"] > 300, "bottom-right by default"
    launcher.click()
    frame = widget.locator(".panel").bounding_box()
    assert frame == {"x": 0, "y": 0, "width": 360, "height": 740}, frame
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    close = widget.locator(".close-panel")
    expect(close).to_have_attribute("aria-label", "Close Briefbot")
    expect(close).to_be_visible()  # reachable on top of the full-screen panel
    close.click()
    expect(widget.locator(".panel")).to_be_hidden()
    assert watch.errors == []


def test_dark_and_light_themes_keep_text_readable(browser, widget_server) -> None:  # type: ignore[no-untyped-def]
    page, watch = widget_page(browser, widget_server, 'data-theme="dark" data-questions="What happens next?"')
    widget = page.locator("briefbot-widget")
    expect(widget).to_have_attribute("data-scheme", "dark")
    empty = page.evaluate(CONTRAST)  # the starter chips
    box = widget.get_by_role("textbox", name="Ask Briefbot a question")
    box.fill("What did European leaders ask for?")
    box.press("Enter")
    wait_done(page, 1)
    box.fill("Give me a recipe for banana bread.")
    box.press("Enter")
    wait_done(page, 2)
    widget.locator("article.turn").first.locator("button.marker").first.click()
    widget.locator("article.turn").first.get_by_role("button", name="Not helpful", exact=True).click()
    expect(widget.locator(".comment")).to_be_visible()
    dark = page.evaluate(CONTRAST)
    ink = page.evaluate("() => getComputedStyle(document.querySelector('briefbot-widget').shadowRoot.querySelector('.answer-text')).color")
    assert ink == "rgb(230, 237, 243)", ink

    page.evaluate("document.querySelector('briefbot-widget').dataset.theme = 'light'")
    expect(widget).to_have_attribute("data-scheme", "light")
    light = page.evaluate(CONTRAST)
    for name, result in (("dark, empty", empty), ("dark", dark), ("light", light)):
        assert result["checked"] >= (3 if name.endswith("empty") else 15), (name, result)
        assert result["failures"] == [], (name, result["failures"])

    # data-theme="auto" (the default) follows the reader's system setting, live.
    page.evaluate("document.querySelector('briefbot-widget').dataset.theme = 'auto'")
    page.emulate_media(color_scheme="dark")
    expect(widget).to_have_attribute("data-scheme", "dark")
    page.emulate_media(color_scheme="light")
    expect(widget).to_have_attribute("data-scheme", "light")
    assert watch.errors == []


def test_the_briefing_renders_as_headings_and_lists_built_from_the_api_structure(browser, widget_server) -> None:  # type: ignore[no-untyped-def]
    page, watch = widget_page(browser, widget_server, "")
    widget = page.locator("briefbot-widget")
    with page.expect_response("**/v1/briefing") as response:
        widget.get_by_role("button", name="Brief me: who wants what and what happens next").click()
    briefing = response.value.json()
    wait_done(page, 1)
    rich = widget.locator(".answer-text.rich")
    expect(rich.locator("h3").first).to_have_text("Positions")
    headings = rich.locator("h3").all_text_contents()
    assert {"Positions", "Who reported what"} <= set(headings), headings
    first_actor = briefing["positions"][0]
    expect(rich.locator("ul").first.locator("li").first.locator("strong")).to_have_text(first_actor["actor"])
    assert rich.locator("li").count() >= len(first_actor["items"])
    marker = rich.locator("li button.marker").first
    marker.click()
    n = int(marker.get_attribute("data-n") or 0)
    quote = next(c["quote"] for c in briefing["citations"] if c["n"] == n)
    expect(widget.locator(".card blockquote")).to_have_text(quote)
    page.reload()
    expect(widget.locator(".answer-text.rich h3").first).to_have_text("Positions")  # the structure is kept, not its HTML
    assert watch.errors == []


def test_strings_language_placeholder_disclaimer_and_logo_are_the_page_s_to_set(browser, widget_server) -> None:  # type: ignore[no-untyped-def]
    strings = json.dumps({"placeholder": "ignored: data-placeholder wins", "newChat": "Von vorn", "notHelpful": "Daneben",
                          "unknownKey": "<b>ignored</b>"})
    attributes = (f"data-language=\"de\" data-strings='{strings}' data-placeholder=\"Frage zur Wahl…\" "
                  f'data-disclaimer="KI-Antworten können Fehler enthalten." data-logo="/logo-test.svg" data-title="Wahlbot"')
    page, watch = widget_page(browser, widget_server, attributes)
    widget = page.locator("briefbot-widget")
    expect(widget.get_by_role("button", name="Neuer Chat: ein neues Gespräch beginnen")).to_have_text("Von vorn")
    expect(widget.get_by_role("button", name="Überblick: wer was will und wie es weitergeht")).to_be_visible()
    box = widget.get_by_role("textbox", name="Wahlbot eine Frage stellen")
    expect(box).to_have_attribute("placeholder", "Frage zur Wahl…")
    expect(widget.locator(".footnote")).to_have_text("KI-Antworten können Fehler enthalten.")
    expect(widget.locator(".logo img")).to_have_attribute("src", f"{widget_server.url}/logo-test.svg")
    expect(widget.locator(".empty p")).to_have_text(
        "Fragen Sie, was jede Seite will, wie es weitergeht oder was ein Medium berichtet hat.")
    box.fill("What did European leaders ask for?")
    box.press("Enter")
    wait_done(page, 1)
    expect(widget.get_by_role("button", name="Daneben", exact=True)).to_be_visible()
    expect(widget.locator(".dating")).to_have_text("Ohne Datum: der zitierte Artikel hat kein Veröffentlichungsdatum")
    assert widget.locator("b").count() == 0
    assert watch.errors == []


def test_thumbs_down_takes_an_optional_comment(browser, widget_server, widget_bot) -> None:  # type: ignore[no-untyped-def]
    page, watch = widget_page(browser, widget_server, "")
    widget = page.locator("briefbot-widget")
    box = widget.get_by_role("textbox", name="Ask Briefbot a question")
    box.fill("What did European leaders ask for?")
    box.press("Enter")
    wait_done(page, 1)
    expect(widget.locator(".comment")).to_have_count(0)
    widget.get_by_role("button", name="Not helpful", exact=True).click()
    comment = widget.get_by_role("textbox", name="What was wrong? (optional)")
    expect(comment).to_be_visible()
    comment.fill("It should say when the ceasefire would start.")
    comment.press("Enter")
    expect(widget.locator(".thanks")).to_have_text("Thanks, your comment was sent.")
    expect(widget.locator(".comment")).to_have_count(0)
    conv = stored(page, widget_server.url)["conversationId"]
    recorded = [(f["rating"], f["comment"]) for f in widget_bot.conversations.feedback() if f["conversation_id"] == conv]
    assert recorded == [("down", None), ("down", "It should say when the ceasefire would start.")]
    assert watch.errors == []


TIDEWATER = ROOT / "tests" / "fixtures" / "tidewater.jsonl"  # two reports 12 days apart (Reuters, then BBC)


def test_answers_say_how_current_they_are(browser, tmp_path, embedder) -> None:  # type: ignore[no-untyped-def]
    from bot.api import create_app

    bot = make_bot(tmp_path / "data", embedder, TIDEWATER)
    with LiveServer(create_app(bot=bot)) as server:
        page, watch = widget_page(browser, server, "")
        widget = page.locator("briefbot-widget")
        box = widget.get_by_role("textbox", name="Ask Briefbot a question")
        with page.expect_response("**/v1/ask/stream") as response:
            box.fill("What happened in Tidewater?")
            box.press("Enter")
        wait_done(page, 1)
        done = json.loads(response.value.text().split("event: done\ndata: ", 1)[1].split("\n", 1)[0])
        cited = {c["article_id"] for c in done["citations"]}
        count = len(cited)
        latest = "16 May 2025" if "tidewater-late" in cited else "4 May 2025"
        expect(widget.locator(".dating").first).to_have_text(f"As of {latest} · {count} article{'s' if count > 1 else ''}")
        if count == 2:
            reports = widget.locator(".dating.reports")
            expect(reports).to_contain_text("Reported on different dates:")
            expect(reports.locator(".report")).to_have_count(2)
            expect(reports.locator(".report").first).to_contain_text("4 May 2025 Reuters [")
            expect(reports.locator(".report.newest")).to_contain_text("16 May 2025 BBC [")
            expect(reports.locator(".report.newest")).to_contain_text("(newest)")
        widget.locator("button.marker").first.click()
        expect(widget.locator(".card .article-meta")).to_contain_text("2025")
        page.reload()  # stored turns keep their dates
        expect(widget.locator(".dating").first).to_have_text(f"As of {latest} · {count} article{'s' if count > 1 else ''}")
        assert watch.errors == []
    bot.close()
