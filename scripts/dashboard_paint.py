"""The dashboard's first paint in headless Chromium against a running demo (make run), interleaved
A/B under the same machine load; every load is a fresh browser context (cold cache).

    .venv/bin/python scripts/dashboard_paint.py http://127.0.0.1:8000 10 [/path/to/full/echarts.min.js]

after: the page as served. before (only with the third argument, the full ECharts dist): the same
page with that file in place of the custom build and its scripts not deferred (the page as it was).
Prints the medians (min-max) in ms from navigation start: ttfb, first-contentful-paint, DOM content
loaded, and when stats.js has drawn every chart (body[data-charts]).
"""

import statistics
import sys
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
READ = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const f = performance.getEntriesByName('first-contentful-paint')[0];
  return {ttfb: n.responseStart, fcp: f ? f.startTime : null, dcl: n.domContentLoadedEventEnd,
          charts: window.__chartsAt};
}"""
WATCH = """new MutationObserver((m, o) => {
  if (document.body && document.body.hasAttribute('data-charts')) {
    window.__chartsAt = performance.now(); o.disconnect();
  }
}).observe(document, {attributes: true, subtree: true});"""


def routes(page, full: bytes | None) -> None:
    """Both variants go through the same interception; 'before' swaps the file and drops defer."""

    def html(route):
        response = route.fetch()
        body = response.text()
        if full is not None:
            body = body.replace("<script defer src", "<script src")
        route.fulfill(response=response, body=body)

    page.route("**/dashboard/", html)
    if full is not None:
        page.route(
            "**/static/vendor/echarts/echarts.min.js",
            lambda route: route.fulfill(body=full, content_type="text/javascript"),
        )


def main(base: str, runs: int, full: bytes | None) -> None:
    from playwright.sync_api import sync_playwright

    viewport = {"width": 1366, "height": 768}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.goto(base + "/accounts/login/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", "demo12345")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=whoami]")
        state = context.storage_state()
        variants = {"after": None} if full is None else {"before": full, "after": None}
        results = {name: [] for name in variants}
        for run in range(runs + 1):  # the first round warms the server
            for name, swap in variants.items():
                ctx = browser.new_context(viewport=viewport, locale="zh-CN", storage_state=state)
                ctx.add_init_script(WATCH)
                tab = ctx.new_page()
                routes(tab, swap)
                tab.goto(base + "/dashboard/")
                tab.wait_for_selector("body[data-charts]", timeout=60000)
                tab.wait_for_function("window.__chartsAt")
                if run:
                    results[name].append(tab.evaluate(READ))
                ctx.close()
        for name, rows in results.items():
            cells = []
            for key in ("ttfb", "fcp", "dcl", "charts"):
                values = [row[key] for row in rows]
                cells.append(f"{key} {statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})")
            print(name, "|", " | ".join(cells))
        browser.close()


if __name__ == "__main__":
    main(
        sys.argv[1].rstrip("/"),
        int(sys.argv[2]) if len(sys.argv) > 2 else 10,
        Path(sys.argv[3]).read_bytes() if len(sys.argv) > 3 else None,
    )
