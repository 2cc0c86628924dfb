"""The Content-Security-Policy allows only the vendored assets: no inline script or style, no style
or event-handler attribute, no eval, no other origin (issue 13, item 13; config/csp.py)."""

import re

import pytest
from django.conf import settings

APP_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'", "data:"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def policy(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


@pytest.mark.django_db
def test_the_login_page_has_the_application_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert policy(response) == APP_POLICY


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("agent", "/"),
        ("agent", "/intake/"),
        ("agent", "/orders/"),
        ("agent", "/search/?q=139"),
        ("agent", "/notifications/"),
        ("manager", "/dashboard/"),
        ("manager", "/dashboard/pivot/?rows=day&cols=level"),
        ("manager", "/reports/"),
        ("manager", "/exports/"),
        ("agent", "/dashboard/"),  # the 403 page
        ("agent", "/orders/999999/"),  # the 404 page
    ],
)
def test_application_pages_have_the_policy_and_no_unsafe_source(page_client_for, who, path, settings):
    settings.DEBUG = False  # django-csp leaves DEBUG's 404 and 500 pages alone
    response = page_client_for(who).get(path)
    assert response.status_code in (200, 403, 404)
    assert policy(response) == APP_POLICY
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_an_order_page_and_its_htmx_fragment_have_the_policy(page_client_for, build):
    order = build.register()
    client = page_client_for("dispatcher")
    page = client.get(f"/orders/{order.pk}/")
    fragment = client.get(f"/orders/{order.pk}/", HTTP_HX_REQUEST="true")
    assert page.status_code == fragment.status_code == 200
    assert policy(page) == policy(fragment) == APP_POLICY


@pytest.mark.django_db
def test_an_export_page_reads_its_progress_url_from_an_attribute(page_client_for, users):
    from workorders.stats.exports import export_start

    job = export_start(user=users["manager"], filters={})
    html = page_client_for("manager").get(f"/exports/{job.pk}/").content.decode()
    assert f'data-poll-url="/exports/{job.pk}/?format=json"' in html and "js/export.js" in html
    assert 'data-progress="' in html


# --- The templates: nothing inline ----------------------------------------------------------------

TEMPLATES = sorted(p for p in (settings.BASE_DIR / "templates").rglob("*") if p.suffix in (".html", ".txt"))
COMMENTS = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.S)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
# An attribute inside a tag: on<event>= or style=, whatever the quotes.
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I | re.S)


def _source(path):
    return COMMENTS.sub("", path.read_text(encoding="utf-8"))


def test_the_scan_finds_the_templates():
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "export.html", "pivot.html", "report_print.html", "language_switch.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_has_inline_script_style_or_handlers(path):
    source = _source(path)
    for attributes in SCRIPT.findall(source):
        assert "src=" in attributes or 'type="application/json"' in attributes, (
            f"inline <script{attributes}>: move it into static/js"
        )
    assert not STYLE_ELEMENT.search(source), "a <style> element: move it into static/css"
    assert not HANDLER_ATTRIBUTE.search(source), "an on*= handler: add a listener in static/js/app.js"
    assert not STYLE_ATTRIBUTE.search(source), "a style= attribute: use a class in static/css/app.css"


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<div class="x" style="width: 1px">',
        "<select name=\"l\"\n  onchange='this.form.submit()'>",
        "<style>body { margin: 0 }</style>",
    ],
)
def test_the_scan_catches_inline_code(tmp_path, snippet):
    path = tmp_path / "t.html"
    path.write_text("{% load i18n %}\n" + snippet, encoding="utf-8")
    with pytest.raises(AssertionError):
        test_no_template_has_inline_script_style_or_handlers(path)


# --- Third-party pages: relaxed for themselves only -----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_pages_send_anonymous_users_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_pages_follow_api_docs_public(client, settings, path):
    settings.API_DOCS_PUBLIC = True
    assert client.get(path).status_code != 302


@pytest.mark.django_db
def test_swagger_ui_relaxes_only_style_src_and_loads_its_init_script_as_a_file(page_client_for):
    client = page_client_for("agent")
    response = client.get("/api/docs/")
    assert response.status_code == 200
    directives = policy(response)
    assert directives["style-src"] == {"'self'", "'unsafe-inline'"}
    assert {k: v for k, v in directives.items() if k != "style-src"} == {
        k: v for k, v in APP_POLICY.items() if k != "style-src"
    }
    html = response.content.decode()
    assert all("src=" in attributes for attributes in SCRIPT.findall(html))
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_redoc_relaxes_style_src_and_workers_only_and_loads_no_google_fonts(page_client_for):
    response = page_client_for("agent").get("/api/redoc/")
    assert response.status_code == 200
    directives = policy(response)
    assert directives["style-src"] == {"'self'", "'unsafe-inline'"}
    assert directives["worker-src"] == {"'self'", "blob:"}
    assert directives["script-src"] == {"'self'"}
    html = response.content.decode()
    assert "fonts.googleapis.com" not in html and "<redoc spec-url=" in html


@pytest.mark.django_db
def test_the_browsable_api_relaxes_only_style_src(api_client_for):
    response = api_client_for("agent").get("/api/v1/workorders/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    directives = policy(response)
    assert directives["style-src"] == {"'self'", "'unsafe-inline'"}
    assert directives["script-src"] == {"'self'"}
    as_json = api_client_for("agent").get("/api/v1/workorders/")
    assert policy(as_json) == APP_POLICY


@pytest.mark.django_db
def test_the_admin_has_the_application_policy(client, users):
    client.force_login(users["admin"])
    response = client.get("/admin/workorders/workorderevent/")
    assert response.status_code == 200
    assert policy(response) == APP_POLICY
