"""Who may export, what an export holds, and who may download it (issue 13, item 6).

Exports are for managers, supervisors and administrators (README, "Statistics, reports and
exports"): anyone else's request is a 403 (API and pages) and the pages offer them no export. The
rows are the exporter's own scope. The file is served only to its owner (or an administrator), as a
download that is never cached, and by the web server when ``PROTECTED_MEDIA_SERVER`` says so.
"""

import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from workorders.models import ExportJob
from workorders.selectors import workorders_visible_to
from workorders.stats.exports import export_build, export_start

pytestmark = pytest.mark.django_db

NOT_EXPORTERS = ["agent", "dispatcher", "handler", "handler2"]


@pytest.fixture
def eager():
    """Export tasks run where they are enqueued (wrap the request in
    ``django_capture_on_commit_callbacks(execute=True)``)."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def done_export(dataset, users, media_tmp):
    """A finished export of the manager's."""
    job = ExportJob.objects.create(user=users["manager"], filters={})
    return export_build(job.pk)


def tracking_numbers(content: bytes) -> list[str]:
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    return [r[0] for r in rows[1:]]


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- who may export -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", NOT_EXPORTERS)
def test_an_export_request_by_a_working_role_is_403_through_the_api(dataset, api_client_for, who):
    # when
    api = api_client_for(who)
    created = api.post("/api/v1/exports/", {"status": ["closed"]}, format="json")
    listed = api.get("/api/v1/exports/")
    # then
    assert created.status_code == 403 and created.json()["code"]
    assert "detail" in created.json()
    assert listed.status_code == 403
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("who", NOT_EXPORTERS)
def test_an_export_request_by_a_working_role_is_a_403_page(dataset, page_client_for, who):
    client = page_client_for(who)
    assert client.post("/exports/new/", {"status": "closed"}).status_code == 403
    assert client.get("/exports/").status_code == 403
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("who", NOT_EXPORTERS)
def test_the_service_refuses_them_too(dataset, users, who):
    from config.errors import DomainError

    with pytest.raises(DomainError) as refused:
        export_start(user=users[who], filters={})
    assert refused.value.code == "permission_denied" and refused.value.http_status == 403


@pytest.mark.parametrize("who", NOT_EXPORTERS)
def test_their_pages_offer_no_export(dataset, page_client_for, who):
    client = page_client_for(who)
    for path in ("/", "/orders/"):
        html = client.get(path, follow=True).content.decode()
        assert "/exports/" not in html and 'data-testid="export-form"' not in html, path


@pytest.mark.parametrize("who", ["manager", "supervisor", "admin"])
def test_exporters_see_the_export_form(dataset, page_client_for, who):
    page = page_client_for(who).get("/exports/")
    assert page.status_code == 200 and 'data-testid="export-form"' in page.content.decode()


# --- what an export holds -------------------------------------------------------------------------


def test_a_sub_units_supervisor_exports_only_their_units_orders(
    dataset, cd_supervisor, users, api_client_for, media_tmp, eager, django_capture_on_commit_callbacks
):
    # given: the 城东 supervisor sees one order; the manager sees every one of the company
    scoped = set(workorders_visible_to(cd_supervisor).values_list("tracking_no", flat=True))
    everything = set(workorders_visible_to(users["manager"]).values_list("tracking_no", flat=True))
    assert scoped and scoped < everything
    # when
    api = api_client_for(cd_supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/exports/", {}, format="json")
    # then
    assert created.status_code == 202
    polled = api.get(f"/api/v1/exports/{created.json()['id']}/").json()
    assert polled["status"] == "done"
    exported = tracking_numbers(body_of(api.get(polled["download_url"])))
    assert sorted(exported) == sorted(scoped)
    assert not set(exported) & (everything - scoped)


# --- who may download -----------------------------------------------------------------------------


def test_the_owner_downloads_with_the_download_headers(done_export, api_client_for, page_client_for):
    api = api_client_for("manager").get(f"/api/v1/exports/{done_export.pk}/download/")
    page = page_client_for("manager").get(f"/exports/{done_export.pk}/download/")
    for response in (api, page):
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert done_export.file.name.rsplit("/", 1)[-1] in response["Content-Disposition"]
        assert "no-store" in [d.strip() for d in response["Cache-Control"].split(",")]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert body_of(response)[:2] == b"PK"


@pytest.mark.parametrize("who", ["supervisor"])
def test_another_exporter_gets_404_for_someone_elses_export(
    done_export, api_client_for, page_client_for, who
):
    api = api_client_for(who)
    assert api.get(f"/api/v1/exports/{done_export.pk}/download/").status_code == 404
    assert api.get(f"/api/v1/exports/{done_export.pk}/").status_code == 404
    assert done_export.pk not in [j["id"] for j in api.get("/api/v1/exports/").json()]
    page = page_client_for(who)
    assert page.get(f"/exports/{done_export.pk}/download/").status_code == 404
    assert page.get(f"/exports/{done_export.pk}/").status_code == 404


@pytest.mark.parametrize("who", NOT_EXPORTERS)
def test_a_working_role_cannot_download_an_export(done_export, api_client_for, page_client_for, who):
    assert api_client_for(who).get(f"/api/v1/exports/{done_export.pk}/download/").status_code == 403
    assert page_client_for(who).get(f"/exports/{done_export.pk}/download/").status_code == 403


def test_an_administrator_may_download_any_export(done_export, api_client_for, page_client_for):
    assert api_client_for("admin").get(f"/api/v1/exports/{done_export.pk}/download/").status_code == 200
    assert page_client_for("admin").get(f"/exports/{done_export.pk}/download/").status_code == 200


def test_the_download_url_is_the_protected_view(done_export, api_client_for):
    polled = api_client_for("manager").get(f"/api/v1/exports/{done_export.pk}/").json()
    assert polled["download_url"].endswith(f"/api/v1/exports/{done_export.pk}/download/")
    assert "/media/" not in polled["download_url"]


def test_nginx_mode_answers_an_empty_body_with_x_accel_redirect(done_export, api_client_for, settings):
    settings.PROTECTED_MEDIA_SERVER = "nginx"
    response = api_client_for("manager").get(f"/api/v1/exports/{done_export.pk}/download/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == quote(f"/protected-media/{done_export.file.name}")
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")


def test_report_downloads_are_protected_downloads_too(dataset, depts, users, page_client_for, media_tmp):
    import datetime as dt

    from workorders.stats.reports import report_generate

    report = report_generate(
        kind="daily", today=dataset["days"][2] + dt.timedelta(days=1), company=depts["BJ"]
    )
    for language in ("zh-hans", "en"):  # the stored file, or the workbook written again
        response = page_client_for("manager", language=language).get(f"/reports/{report.pk}/download/")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
        assert body_of(response)[:2] == b"PK"
