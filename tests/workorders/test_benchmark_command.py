"""``manage.py benchmark`` end to end at a tiny size: real PostgreSQL, gunicorn and locust.

The command loads its data into the test database, and the gunicorn it starts must see that data:
it derives the child's DATABASE_URL from this process's connection (pytest-django's test_<name>),
so the test is transactional (committed rows) and runs on PostgreSQL only. It takes a few minutes.
"""

import importlib.util
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
needs_postgres = pytest.mark.skipif(
    not POSTGRES, reason="the benchmark runs on PostgreSQL only; run with DATABASE_URL=postgres://..."
)
# The load generator is pinned in requirements-dev.txt (found, not imported: gevent patches on import).
needs_locust = pytest.mark.skipif(
    importlib.util.find_spec("locust") is None, reason="locust is not installed (requirements-dev.txt)"
)

# One row per budget, besides the two bare references (figure prefixes as the command prints them).
BUDGET_ROWS = (
    [
        f"list API, {label}, {who}"
        for label in ("default page", "status=processing", "level=important", "category=0401")
        for who in ("handler", "unit supervisor", "manager")
    ]
    + ["search, partial phone", "search, text"]
    + [f"/orders/ page, {who}" for who in ("handler", "unit supervisor", "manager")]
    + [
        "queue page (in progress), handler",
        "order detail page, handler",
        "dashboard, 30 days, manager",
        "dashboard, 365 days, manager",
        "pivot unit × month, 365 days, manager",
        "API intake, 4 clients, throughput",
        "API intake, 4 clients, p95",
        "deadline sweep",
        "one gunicorn worker, resident memory",
    ]
)


def run(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("benchmark", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + f"\n{exc}"
    return 0, out.getvalue()


def table(text: str) -> dict[str, list[str]]:
    """The printed table: figure → [value, ratio to bare, queries, budget, verdict]."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 6 and cells[0] not in ("figure", "---"):
            rows[cells[0]] = cells[1:]
    return rows


def row(rows: dict, prefix: str) -> list[str]:
    found = [cells for figure, cells in rows.items() if figure.startswith(prefix)]
    assert len(found) == 1, f"no single row {prefix!r} in {list(rows)}"
    return found[0]


@pytest.mark.skipif(POSTGRES, reason="the refusal is for SQLite")
@pytest.mark.django_db
def test_refuses_sqlite():
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("benchmark", "--orders", "10", "--quick", stdout=StringIO())


@needs_postgres
@needs_locust
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_tiny_run_prints_a_row_per_budget_and_exits_by_the_outside_rows():
    code, text = run("--orders", "2000", "--quick", "--users", "2", "--intake-users", "4")
    rows = table(text)

    bare_get, bare_post = row(rows, "bare Django GET"), row(rows, "bare Django POST")
    for bare in (bare_get, bare_post):
        assert re.search(r"p95 [\d.,]+ ms, [\d,]+/s", bare[0]), bare
        assert bare[2] == "1" and bare[4] == "reference"
    for prefix in BUDGET_ROWS:
        value, ratio, queries, budget, verdict = row(rows, prefix)
        assert verdict in ("within", "outside"), (prefix, verdict)
        assert re.search(r"\d", value), (prefix, value)
        assert budget.startswith(("p95 ≤", "≥", "≤")), (prefix, budget)
        if not prefix.startswith("one gunicorn worker"):
            assert re.match(r"\d+", queries), (prefix, queries)  # counted per request
        if prefix.startswith(("list API", "search", "/orders/", "order detail", "dashboard", "pivot")):
            assert ratio.endswith("×"), (prefix, ratio)  # p95 against the bare GET's
    assert "% of bare POST" in row(rows, "API intake, 4 clients, throughput")[1]
    assert len(rows) == len(BUDGET_ROWS) + 2
    outside = [figure for figure, cells in rows.items() if cells[4] == "outside"]
    assert code == (1 if outside else 0), (code, outside, text[-3000:])

    # The exit status follows the rows: an impossible budget fails, a generous one passes.
    code, text = run(
        "--skip-load", "--quick", "--duration", "1", "--only", "api_default_page_manager",
        "--budget-scale", "0.000001",
    )  # fmt: skip
    assert row(table(text), "list API, default page, manager")[4] == "outside"
    assert code == 1, text[-2000:]
    code, text = run(
        "--skip-load", "--quick", "--duration", "1", "--only", "page_detail_handler,memory",
        "--budget-scale", "1000000",
    )  # fmt: skip
    rows = table(text)
    assert row(rows, "order detail page, handler")[4] == "within", text[-2000:]
    assert row(rows, "one gunicorn worker, resident memory")[4] == "within", text[-2000:]
    assert code == 0, text[-2000:]

    # The sweep runs several times over other rows each time; the row gives the median and the range.
    code, text = run("--skip-load", "--duration", "1", "--only", "sweep", "--due", "10", "--sweep-runs", "3")
    runs = re.findall(r"^  ([\d.]+) s, \d+ queries", text, re.M)
    assert len(runs) == 3, text[-2000:]
    value = row(table(text), "deadline sweep")[0]
    middle = sorted(float(r) for r in runs)[1]
    assert re.fullmatch(r"median [\d,]+ ms \([\d,]+–[\d,]+ ms, 3 runs\)", value), value
    shown = float(re.match(r"median ([\d,]+) ms", value).group(1).replace(",", ""))
    assert abs(shown - middle * 1000) <= 1, (value, runs)  # the middle run, not the mean nor the last
