"""The dashboard paints its figures before the charts: ECharts (a build with only the charts the pages
draw, static/vendor/echarts/build.sh) and stats.js load deferred, and the charts still render.
How fast is measured in docs/figures.md, never asserted here."""

import re

import pytest

from config.settings import BASE_DIR

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHARTS = ("chart-trend", "chart-open", "chart-stages", "chart-categories", "chart-per10k")
VENDOR = BASE_DIR / "static" / "vendor" / "echarts"


@pytest.fixture
def orders(build):
    for n, state in enumerate(["processing", "review", "callback", "closed", "closed", "assignment"]):
        build.order(state, phone=f"1390000{n:04d}", account_no=f"33000{n:05d}")


def test_the_dashboard_loads_echarts_deferred_after_its_figures(orders, page_client_for):
    # when
    html = page_client_for("manager").get("/dashboard/").content.decode()
    # then: every script of the charts is deferred, ECharts before stats.js, after the figures
    scripts = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"[^>]*>", html)
    tags = {src: tag for tag, src in re.findall(r"(<script\b[^>]*\bsrc=\"([^\"]+)\"[^>]*>)", html)}
    echarts = next(src for src in scripts if "vendor/echarts/" in src)
    stats = next(src for src in scripts if src.endswith("js/stats.js"))
    assert " defer" in tags[echarts] and " defer" in tags[stats]
    assert scripts.index(echarts) < scripts.index(stats)
    assert html.index('data-testid="received-range"') < html.index(echarts)


def test_the_vendored_echarts_is_the_custom_build_with_its_recipe():
    built = (VENDOR / "echarts.min.js").read_text()
    assert built.startswith("/*! ECharts ") and "line, bar, pie" in built.splitlines()[0]
    recipe = (VENDOR / "build.sh").read_text()
    for part in ('"echarts/core"', "LineChart", "BarChart", "PieChart", "CanvasRenderer", "esbuild"):
        assert part in recipe
    assert (VENDOR / "LICENSE").exists() and (VENDOR / "README.md").exists()


def test_the_figures_show_and_the_deferred_charts_render(orders, login, live_server):
    # given
    page = login("manager")
    errors, external = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else external.append(r.url))
    # when
    page.goto("/dashboard/")
    # then
    assert page.locator("[data-testid=received-range]").is_visible()
    page.wait_for_selector("body[data-charts]")
    assert int(page.get_attribute("body", "data-charts")) == len(CHARTS)
    for chart in CHARTS:
        assert page.locator(f"#{chart}[data-rendered='1'] canvas").count() >= 1, chart
    assert page.evaluate("typeof echarts.init") == "function"
    assert errors == [] and external == []


def test_the_pivot_chart_renders_with_the_same_build(orders, login):
    # given
    page = login("manager")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # when: a stacked bar chart with a scrolling legend
    page.goto("/dashboard/pivot/?rows=category1&cols=level&measure=count")
    # then
    page.wait_for_selector("#chart-pivot[data-rendered='1'] canvas")
    assert errors == []
