"""What the benchmark measures: one row per budgeted path, its budget (design.md), the table.

Budgets (design.md, "Budgets"; the issue's reading of them):

- every list and page a user waits on (list API with and without filters, search, the HTML list,
  a queue, the order detail): p95 ≤ 100 ms;
- the manager dashboard (30 and 365 days) and the pivot: p95 ≤ 300 ms;
- API intake: ≥ 300 complaints/s and ≥ 25 % of the bare one-row POST's rate, p95 ≤ 50 ms;
- the deadline sweep, 1,000 due: ≤ 1 s;
- one web process (a gunicorn worker) after the run: resident memory ≤ 150 MB.
"""

from dataclasses import dataclass, field

LIST_P95_MS = 100
DASHBOARD_P95_MS = 300
INTAKE_RATE = 300
INTAKE_SHARE_OF_BARE = 0.25
INTAKE_P95_MS = 50
SWEEP_SECONDS = 1.0
WORKER_RSS_MB = 150


@dataclass
class Scenario:
    """One HTTP path as one user: GET ``urls`` (one at random per request), or intake."""

    key: str
    figure: str
    user: str | None  # a key of the benchmark's users; None: anonymous (the bare views)
    auth: str  # "token", "session" or ""
    urls: list[str]
    budget_ms: float | None = LIST_P95_MS
    kind: str = "get"  # "get", "intake", "bare_get", "bare_post"
    queries: int | None = None
    status: int | None = None  # of the in-process request that counted the queries


@dataclass
class Row:
    figure: str
    value: str
    ratio: str
    queries: str
    budget: str
    verdict: str  # "within", "outside" or "reference"
    notes: list[str] = field(default_factory=list)


def scenarios(ctx: dict) -> list[Scenario]:
    """Every budgeted HTTP path. ``ctx``: the data the URLs need (see the benchmark command)."""
    roles = [("handler", "handler"), ("unit_supervisor", "unit supervisor"), ("manager", "manager")]
    year = f"date_from={ctx['year_ago']}&date_to={ctx['today']}"
    api = "/api/v1/workorders/"
    found = []
    for query, label in (
        ("", "default page"),
        ("?status=processing", "status=processing"),
        ("?level=important", "level=important"),
        (f"?category={ctx['category']}", f"category={ctx['category']}"),
    ):
        slug = label.split("=")[0].replace(" ", "_")
        for user, who in roles:
            found.append(
                Scenario(f"api_{slug}_{user}", f"list API, {label}, {who}", user, "token", [api + query])
            )
    found += [
        Scenario(
            "search_phone",
            f"search, partial phone {ctx['partial_phone']}, manager",
            "manager",
            "token",
            [f"{api}?search={ctx['partial_phone']}"],
        ),
        Scenario(
            "search_text",
            f"search, text {ctx['text']}, manager",
            "manager",
            "token",
            [f"{api}?search={ctx['text_q']}"],
        ),
    ]
    for user, who in roles:
        found.append(Scenario(f"page_orders_{user}", f"/orders/ page, {who}", user, "session", ["/orders/"]))
    found += [
        Scenario(
            "page_queue_handler",
            "queue page (in progress), handler",
            "handler",
            "session",
            ["/orders/?queue=in_progress"],
        ),
        Scenario(
            "page_detail_handler",
            "order detail page, handler",
            "handler",
            "session",
            [f"/orders/{pk}/" for pk in ctx["detail_pks"]],
        ),
        Scenario(
            "dashboard_30",
            "dashboard, 30 days, manager",
            "manager",
            "session",
            ["/dashboard/"],
            DASHBOARD_P95_MS,
        ),
        Scenario(
            "dashboard_365",
            "dashboard, 365 days, manager",
            "manager",
            "session",
            [f"/dashboard/?{year}"],
            DASHBOARD_P95_MS,
        ),
        Scenario(
            "pivot_365",
            "pivot unit × month, 365 days, manager",
            "manager",
            "session",
            [f"/dashboard/pivot/?rows=unit&cols=month&measure=count&{year}"],
            DASHBOARD_P95_MS,
        ),
        Scenario("intake", "API intake", "agent", "token", ["/api/v1/complaints/"], INTAKE_P95_MS, "intake"),
    ]
    return found


def bare_scenarios(ctx: dict) -> list[Scenario]:
    return [
        Scenario(
            "bare_get",
            "bare Django GET (one-row SELECT)",
            None,
            "",
            [f"/bench/get/{pk}/" for pk in ctx["bare_pks"]],
            None,
            "bare_get",
        ),
        Scenario(
            "bare_post", "bare Django POST (one-row INSERT)", None, "", ["/bench/post/"], None, "bare_post"
        ),
    ]


# --- formatting -----------------------------------------------------------------------------------


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def times(ratio: float | None) -> str:
    if ratio is None:
        return "–"
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def table(rows: list[Row]) -> str:
    header = ["figure", "value", "ratio to bare", "queries", "budget", "verdict"]
    cells = [[r.figure, r.value, r.ratio, r.queries, r.budget, r.verdict] for r in rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(c) + " |" for c in cells]
    return "\n".join(lines)
