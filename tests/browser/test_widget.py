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

from tests.conftest import SEED, SEED_FILE, LiveServer, make_bot

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
    return make_bot(tmp_path_factory.mktemp("widget"), embedder, SEED, admin_token=TOKEN, cors_origins=[site.origin])


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
    expect(page.locator("briefbot-widget .answer[data-state=done]")).to_have_count(n)


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
        refused = httpx.post(f"{server.url}/v1/articles", json=HOSTILE, headers=auth)
        assert refused.status_code == 422 and "url must be an http(s) URL" in refused.json()["detail"]
        for record in ({**HOSTILE, "url": None}, LINKED):
            r = httpx.post(f"{server.url}/v1/articles", json=record, headers=auth)
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

        page.reload()  # the stored turns are rendered again, still as text
        wait_done(page, 3)
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
