"""schemathesis against the real server (waitress, 127.0.0.1) using its own OpenAPI document.

Positive and negative examples for every operation, each answer checked against the
document: no server error, a documented status, the documented content type and body shape.
Bounded: at most ``MAX_EXAMPLES`` examples per operation and mode.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import LiveServer, free_port
from tests.trust.conftest import check_database

MAX_EXAMPLES = 100
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """One live server for the module; a high failed-scan limit so the fuzzing gets through."""
    folder = tmp_path_factory.mktemp("schemathesis")
    live = LiveServer(folder / "instance", free_port(), {"KIOSK_SCAN_FAILURE_BURST": "100000"})
    live.add_member("Anna Virtanen")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def schema(server: LiveServer):
    """The document as the server serves it."""
    with urllib.request.urlopen(server.url + "/api/v1/openapi.json", timeout=10) as response:
        document = json.loads(response.read())
    assert document["openapi"].startswith("3.")
    return schemathesis.openapi.from_dict(document)


def operations() -> list[tuple[str, GenerationMode]]:
    """Every operation with positive examples; those that take a body with negative ones too."""
    from kiosk.web.openapi import openapi_document

    pairs = []
    for path, item in openapi_document()["paths"].items():
        for method, spec in item.items():
            label = f"{method.upper()} {path}"
            pairs.append((label, GenerationMode.POSITIVE))
            if "requestBody" in spec:  # a GET without parameters has no negative examples
                pairs.append((label, GenerationMode.NEGATIVE))
    return pairs


@pytest.mark.slow
@pytest.mark.parametrize(("label", "mode"), operations())
def test_api_conforms_to_its_openapi_document(server, schema, label, mode):
    operation = next(r.ok() for r in schema.get_all_operations() if r.ok().label == label)
    headers = {"Authorization": f"Bearer {server.device_token}"}
    answered: list[int] = []

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        case.headers = {**(case.headers or {}), **headers}
        response = case.call(base_url=server.url, timeout=10)
        answered.append(response.status_code)
        case.validate_response(response, checks=CHECKS)

    run()
    print(f"{label} {mode.value}: {len(answered)} requests, statuses {sorted(set(answered))}")
    assert answered
    assert all(status < 500 or status == 503 and "healthz" in label for status in answered)
    assert check_database(server.db_path) == []


@pytest.mark.slow
def test_api_without_the_token_is_refused_everywhere(server, schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.definition.raw.get("security"):
            continue

        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case) -> None:
            response = case.call(base_url=server.url, timeout=10)
            assert response.status_code == 401, case.operation.label
            case.validate_response(response, checks=CHECKS)

        run()
