"""The live appliance against its own OpenAPI schema, with Schemathesis.

Every operation is called with generated requests (Schemathesis' examples, coverage and
fuzzing phases), then sequences of calls follow the links between operations (the
stateful phase): a project is created, read, changed, searched for similar jobs and
deleted; an upload is read back, downloaded and retried. All of Schemathesis' default
checks run on every response: no 5xx, status codes, content types, headers and bodies as
the schema declares them, valid data accepted, invalid data rejected, a deleted resource
gone, a created one there.

Hypothesis records the choices of every scenario and replays the start of earlier ones
while it generates new ones; a replayed step must be answered as before, or the run ends
in FlakyStrategyDefinition (which links can be followed depends on the status codes and
bodies of earlier answers). So in the stateful phase every request meets an idle
appliance, and every scenario deletes what it created: the answers depend only on the
scenario's own calls, not on how far the workers got or on what earlier scenarios left.
The in-between states (a document still processing, a project without its embedding)
are left to the first test and to the other end-to-end tests.

The appliance is the shared one of the other end-to-end tests: what this module creates
is deleted again at its end, and the appliance must still be healthy with all workers.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import Case, HookContext
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.errors import FailureGroup
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support import RunningAppliance, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

# A fixed seed and derandomized generation: CI sends the same requests every time.
SEED = 20241117
# Few examples per operation: the appliance is real (SQLite, workers, the model), and the
# whole module must stay within a few minutes on two cores.
MAX_EXAMPLES = 20
STATEFUL_SCENARIOS = 50
STATEFUL_STEPS = 6
# The per-request deadline. Not Hypothesis' per-example deadline: the timing of a live
# server on a loaded CI machine is not reproducible, and Hypothesis would report a slow
# first call (the embedding model still loading) as a flaky test. A project search waits
# up to 60 s for the embedding worker before it answers 503, so the bound lies above that.
REQUEST_TIMEOUT = 90

CONFIG: dict[str, Any] = {
    "seed": SEED,
    "request-timeout": REQUEST_TIMEOUT,
    # A live server is slow next to an in-process app: Hypothesis' speed and filtering
    # health checks would fail runs that are merely waiting on the network.
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        # No example database: a run must not depend on what earlier runs found.
        "database": "none",
    },
    "phases": {"stateful": {"max-steps": STATEFUL_STEPS}},
}
STATEFUL_SETTINGS = hypothesis.settings(
    max_examples=STATEFUL_SCENARIOS,
    stateful_step_count=STATEFUL_STEPS,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    # No shrinking: against a live server it replays scenarios for minutes, and the
    # failing step's request is reported with a curl line anyway.
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)

# Links the schema does not declare and Schemathesis does not infer (it infers those
# between the project operations and from the lists): the upload answers with the new
# document's id and the id of its processing task.
UPLOAD_LINKS = {
    "GetUploadedDocument": ("/api/v1/documents/{document_id}", "get", "document_id", "id"),
    "DownloadUploadedDocument": (
        "/api/v1/documents/{document_id}/download",
        "get",
        "document_id",
        "id",
    ),
    "RetryUploadedDocument": ("/api/v1/documents/{document_id}/retry", "post", "document_id", "id"),
    "DeleteUploadedDocument": ("/api/v1/documents/{document_id}", "delete", "document_id", "id"),
    "GetUploadTask": ("/api/v1/tasks/task/{task_id}", "get", "task_id", "task_id"),
}

# Requests sent every run in the examples phase, found once by fuzzing: generation finds
# them only by luck (and differently whenever the schema changes), while a strict xfail,
# and the fix of the bug, need them every time. 2**63 is one above SQLite's integers.
REGRESSIONS: dict[str, list[dict[str, Any]]] = {
    "GET /api/v1/projects/": [{"offset": 2**63}],
    "GET /api/v1/documents/": [{"offset": 2**63}],
    "GET /api/v1/documents/search": [{"q": "Rechnung", "offset": 2**63}],
    "GET /api/v1/tasks/tasks": [{"offset": 2**63}],
}


def add_upload_links(schema: BaseSchema) -> None:
    """Declare UPLOAD_LINKS in the loaded schema, before any operation is built from it."""
    paths = schema.raw_schema["paths"]
    declared = paths["/api/v1/documents/upload"]["post"]["responses"]["201"].setdefault("links", {})
    for name, (path, method, parameter, field) in UPLOAD_LINKS.items():
        declared[name] = {
            "operationId": paths[path][method]["operationId"],
            "parameters": {parameter: f"$response.body#/{field}"},
        }


def stops_a_worker(query: dict[str, Any]) -> bool:
    """True for a revoke query whose `terminate` FastAPI reads as true."""
    value = query.get("terminate")
    values = value if isinstance(value, list) else [value]
    return any(str(v).lower() in ("true", "1", "yes", "on", "t", "y") for v in values)


@pytest.fixture(scope="module")
def api_schema(appliance: RunningAppliance) -> Iterator[BaseSchema]:
    """The schema the running appliance serves, with this module's settings and links.

    At the end, the projects and documents the run created are deleted again.
    """
    before = existing_ids(appliance)
    auth = {"Authorization": f"Bearer {appliance.token}"}
    config = SchemathesisConfig.from_dict({**copy.deepcopy(CONFIG), "headers": auth})
    schema = schemathesis.openapi.from_url(
        f"{appliance.url}/openapi.json", config=config, headers=auth
    )
    add_upload_links(schema)

    # `revoke?terminate=true` kills the worker process running the task. Here that would
    # mostly be the embedding worker (it runs the tasks Schemathesis' own projects queue):
    # the next tests would wait for it to restart and load the model again. Revoking
    # without terminate is still tested; test_engine.py kills a worker on purpose, with a
    # task of its own. (A case hook, as the coverage phase applies no query hooks.)
    @schema.hook("map_case")
    def never_terminate(_context: HookContext, case: Case) -> Case:
        if case.operation.path.endswith("/revoke") and case.query and stops_a_worker(case.query):
            case.query = {k: v for k, v in case.query.items() if k != "terminate"}
        return case

    @schema.hook("before_add_examples")
    def add_regressions(context: HookContext, examples: list[Case]) -> None:
        operation = context.operation
        if operation is not None:
            examples += [operation.Case(query=q) for q in REGRESSIONS.get(operation.label, [])]

    # Not called: "Beenden" stops the appliance the other tests share (and this module's
    # remaining calls with it); it is for a test that starts an appliance of its own.
    yield schema.exclude(path="/api/v1/system/shutdown", method="POST")
    delete_new(appliance, before)


def wait_until_idle(appliance: RunningAppliance, timeout: float = 120) -> None:
    """Wait until no task is waiting or running (queued, started or waiting to retry)."""

    def idle() -> bool:
        page = appliance.client.get(
            "/api/v1/tasks/tasks", params={"state": "PENDING,STARTED,RETRY", "limit": 1}
        ).json()
        return bool(page["total_count"] == 0)

    wait_for(idle, timeout=timeout, what="an idle appliance (no task waiting or running)")


def existing_ids(appliance: RunningAppliance) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for kind in ("projects", "documents"):
        found[kind] = set()
        offset, total = 0, 1
        while offset < total:
            page = appliance.client.get(
                f"/api/v1/{kind}/", params={"limit": 500, "offset": offset}
            ).json()
            found[kind] |= {row["id"] for row in page["data"]}
            offset, total = offset + 500, page["count"]
    return found


def delete_new(appliance: RunningAppliance, before: dict[str, set[str]]) -> None:
    """Delete what the run created, so the other tests find the appliance they expect."""
    for kind, ids in existing_ids(appliance).items():
        for item_id in sorted(ids - before[kind]):
            response = appliance.client.delete(f"/api/v1/{kind}/{item_id}")
            assert response.status_code in (200, 404), response.text


# Rules a schema cannot state, so schema-valid requests may be refused (and are, with the
# documented 415 or 422): a file is a PDF, DOCX, JPEG, ... by its first bytes; a project's
# end date is not before its start date; an amount sent as a JSON number has at most two
# decimal places (multipleOf 0.01 cannot say it of floats: 0.57 / 0.01 = 56.99...); a
# document is linked only to a project that exists.
CROSS_FIELD_RULES = frozenset(
    {
        "PATCH /api/v1/documents/{document_id}",
        "POST /api/v1/documents/upload",
        "POST /api/v1/projects/",
        "PUT /api/v1/projects/{project_id}",
        "PATCH /api/v1/projects/{project_id}",
    }
)


def excluded_checks(case: Case) -> list[Any]:
    return [positive_data_acceptance] if case.operation.label in CROSS_FIELD_RULES else []


def call_and_validate(case: Case) -> None:
    case.call_and_validate(excluded_checks=excluded_checks(case))


def run_operations(schema: BaseSchema) -> tuple[list[str], dict[str, BaseException]]:
    """Run Schemathesis' test of every operation in `schema`; return the labels run and
    the failure of each operation that failed.

    This is what `schemathesis.pytest.from_fixture(...).parametrize()` runs per operation
    (the loader for a schema that exists only once a fixture has run), but that loader
    breaks on pytest 9.2: "'Function' object has no attribute '_nodeid'".
    """
    load_all_checks()
    labels: list[str] = []
    failures: dict[str, BaseException] = {}
    for result in get_all_tests(
        schema=schema, test_func=call_and_validate, settings=None, given_kwargs=None
    ):
        if not isinstance(result, Ok):
            failures[str(result.err())] = result.err()
            continue
        operation, test = result.ok()
        labels.append(operation.label)
        try:
            test()
        except (FailureGroup, Exception) as exc:
            failures[operation.label] = exc
    return labels, failures


def test_every_operation_answers_as_its_schema_says(api_schema: BaseSchema) -> None:
    labels, failures = run_operations(api_schema)
    assert labels, "the schema has no operations left to test"
    report = "\n\n".join(f"=== {label}\n{failure}" for label, failure in failures.items())
    assert not failures, f"{len(failures)} of {len(labels)} operations failed:\n\n{report}"


def test_call_sequences_along_the_links(
    api_schema: BaseSchema, appliance: RunningAppliance
) -> None:
    base = api_schema.as_state_machine()

    class Machine(base):  # type: ignore[misc,valid-type]
        # Each scenario starts from the same data and each request meets an idle
        # appliance, so a step Hypothesis replays is answered as it was the first time
        # (see the module's docstring). Without this, an upload of bytes an earlier
        # scenario had sent answered 200 (the duplicate) instead of 201, the documents
        # list resolved different ids as it grew, and a document's status or a project's
        # `similar` depended on the workers' progress.
        def setup(self) -> None:
            super().setup()
            self.existing = existing_ids(appliance)

        def before_call(self, case: Case) -> None:
            wait_until_idle(appliance)
            super().before_call(case)

        def validate_response(
            self,
            response: Any,
            case: Case,
            additional_checks: list[Any] | None = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=excluded_checks(case),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

        def teardown(self) -> None:
            try:
                delete_new(appliance, self.existing)
            finally:
                super().teardown()

    Machine.run(settings=STATEFUL_SETTINGS)


def test_the_appliance_is_still_healthy(appliance: RunningAppliance) -> None:
    # Schemathesis' calls queue tasks (embeddings, reindex batches, documents); the
    # workers may still be busy with them, but all must be alive and answering.
    body = appliance.wait_healthy(timeout=60)
    assert body["workers"] == appliance.settings.workers
    assert appliance.client.get("/api/v1/tasks/health").status_code == 200
