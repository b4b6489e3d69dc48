"""Schemathesis against /openapi.json of a running server (real model, seed ingested, writes allowed).

Bounded: a fixed number of examples per operation, derandomized, Slack routes excluded (Slack signs
its requests, so unsigned fuzz only ever meets the signature check).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.api import create_app
from tests.conftest import SEED, LiveServer, make_bot
from tests.ops.conftest import ADMIN_TOKEN

EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    bot = make_bot(tmp_path_factory.mktemp("fuzz"), embedder, SEED, admin_token=ADMIN_TOKEN)
    with LiveServer(create_app(bot=bot)) as server:
        yield server


def test_no_server_errors_and_no_schema_violations(fuzz_server: LiveServer) -> None:
    """Every operation, fuzzed in turn; all failures are reported together, each with its operation."""
    # (schemathesis' own pytest plugin, `from_fixture`, does not run under pytest 9: drive hypothesis here)
    api = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json").exclude(path_regex="^/slack/")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    failures: list[str] = []
    calls: Counter[str] = Counter()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, calls)
            except Unsatisfiable:  # nothing in this operation can be made invalid (no body, free-form strings)
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # collected and reported below, per operation
                failures.append(f"{operation.label} ({mode.value} data): {exc}")
    assert not failures, "\n\n".join(failures)
    assert sum(calls.values()) >= 10 * len(operations), calls


def _fuzz(operation: APIOperation, mode: GenerationMode, calls: Counter[str]) -> None:
    """Valid data: every check, schemas included. Invalid data: a 4xx JSON `detail`, never a 5xx."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def fuzz(case) -> None:  # type: ignore[no-untyped-def]
        calls[operation.label] += 1
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        if mode is GenerationMode.POSITIVE:
            case.call_and_validate(headers=headers, checks=CHECKS, timeout=60)
            return
        response = case.call(headers=headers, timeout=60)
        case.validate_response(response, checks=[not_a_server_error])
        if response.status_code >= 400:
            assert isinstance(response.json().get("detail"), str), response.text

    fuzz()
