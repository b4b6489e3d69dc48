"""A local OpenAI-compatible chat server that replays scripted completions (the only fake LLM).

`ScriptedLLM` serves `POST /v1/chat/completions` on 127.0.0.1 from a thread, as JSON or as SSE
chunks (`stream: true`), and records every request. Answer prompts (they contain `<sources>`) and
condense prompts take their replies from separate queues; a reply is a string, a callable that
gets the request's messages, or a `Reply` with a status code or a delay.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import SEED, make_bot

Messages = list[dict[str, Any]]


@dataclass
class Reply:
    content: str | Callable[[Messages], str] = ""
    status: int = 200
    delay: float = 0.0


Script = str | Callable[[Messages], str] | Reply


class ScriptedLLM:
    """Use as a context manager; `base_url` is what `BRIEFBOT_LLM_BASE_URL` should be."""

    def __init__(self, default_answer: str = "The sources don't answer this.") -> None:
        self.answers: deque[Script] = deque()
        self.condenses: deque[Script] = deque()
        self.requests: list[dict[str, Any]] = []
        self.default_answer = default_answer
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    def __enter__(self) -> ScriptedLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        self.answers.clear()
        self.condenses.clear()
        self.requests.clear()

    def script(self, *replies: Script) -> None:
        """Replies for the next answer prompts, in order (then `default_answer`)."""
        self.answers.extend(replies)

    def script_condense(self, *replies: Script) -> None:
        """Replies for the next condense prompts, in order (then the last question, unchanged)."""
        self.condenses.extend(replies)

    def answer_prompts(self) -> list[str]:
        """The human message of every answer request so far."""
        return [_human(r["messages"]) for r in self.requests if _is_answer(r["messages"])]

    # ----- serving -------------------------------------------------------------------------
    def _next(self, messages: Messages) -> Reply:
        queue = self.answers if _is_answer(messages) else self.condenses
        script: Script
        if queue:
            script = queue.popleft()
        elif _is_answer(messages):
            script = self.default_answer
        else:
            script = _last_question
        reply = script if isinstance(script, Reply) else Reply(script)
        content = reply.content(messages) if callable(reply.content) else reply.content
        return Reply(content, reply.status, reply.delay)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        llm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._json(404, {"error": {"message": f"no route {self.path}"}})
                llm.requests.append(body)
                reply = llm._next(body.get("messages", []))
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    return self._json(reply.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                assert isinstance(reply.content, str)
                if body.get("stream"):
                    return self._stream(body, reply.content)
                return self._json(200, {
                    "id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", "scripted"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.content}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })

            def _json(self, status: int, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                try:
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

            def _stream(self, body: dict[str, Any], content: str) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                base = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": int(time.time()), "model": body.get("model", "scripted")}
                pieces = [{"role": "assistant", "content": ""}] + [{"content": p} for p in re.findall(r"\S+\s*|\s+", content)]
                try:
                    for delta in pieces:
                        chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    final = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                    self.wfile.write(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

        return Handler


def _is_answer(messages: Messages) -> bool:
    return any("<sources>" in str(m.get("content", "")) for m in messages)


def _human(messages: Messages) -> str:
    return "\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")


def _last_question(messages: Messages) -> str:
    match = re.search(r"Last question:\s*(.+)", _human(messages))
    return match.group(1).strip() if match else ""


def source_number(messages: Messages, needle: str) -> int:
    """The number of the prompt's source whose text contains `needle` (fails the test if none)."""
    for line in _human(messages).splitlines():
        match = re.match(r"\[(\d+)\] \(([^)]*)\) (.*)", line)
        if match and needle.lower() in match.group(3).lower():
            return int(match.group(1))
    raise AssertionError(f"no source containing {needle!r} in the prompt:\n{_human(messages)}")


def sources_in(messages: Messages) -> int:
    """How many numbered sources the prompt has."""
    return len(re.findall(r"^\[\d+\] \(", _human(messages), re.MULTILINE))


# ----- fixtures (import them into a test module to use them) ----------------------------------
@pytest.fixture(scope="module")
def llm_server() -> Iterator[ScriptedLLM]:
    """One scripted model server per test module."""
    with ScriptedLLM() as server:
        yield server


@pytest.fixture
def llm(llm_server: ScriptedLLM) -> ScriptedLLM:
    """The module's scripted server with empty queues and no recorded requests."""
    llm_server.reset()
    return llm_server


@pytest.fixture(scope="module")
def llm_bot(tmp_path_factory: pytest.TempPathFactory, embedder, llm_server: ScriptedLLM):  # type: ignore[no-untyped-def]
    """A bot over the seed in LLM mode, talking to the scripted server (tests must not write articles)."""
    return make_bot(
        tmp_path_factory.mktemp("llm-seed"), embedder, SEED,
        answer_mode="llm", llm_base_url=llm_server.base_url, llm_model="scripted", llm_timeout_s=1.5,
    )
