import os

import pytest

from tests.helpers import run_python


@pytest.mark.django_db
def test_healthz_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["status"] in {"ok", "degraded"}
    assert "broker" in body


def test_healthz_503_when_database_unreachable(tmp_path):
    # A child process whose DATABASE_URL points at a port where nothing listens.
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, json.dumps(r.json()))"
    )
    result = run_python(
        code, {"DATABASE_URL": "postgres://nobody@127.0.0.1:9/none", "VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    status, _, body = result.stdout.strip().splitlines()[-1].partition(" ")
    assert status == "503"
    assert '"database": {"ok": false' in body


def test_healthz_reports_broker_down_as_degraded(tmp_path):
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, json.dumps(r.json()))"
    )
    env = {"REDIS_URL": "redis://127.0.0.1:9/0", "VAR_DIR": str(tmp_path)}
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    status, _, body = result.stdout.strip().splitlines()[-1].partition(" ")
    assert status == "200"
    assert '"status": "degraded"' in body and '"broker": {"ok": false' in body
    assert '"cache": {"ok": false}' in body


def test_healthz_503_when_the_database_refuses_writes(tmp_path):
    """A replica or a read-only primary: reads work, every write path would fail."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    read_only = url + ("&" if "?" in url else "?") + "options=-c%20default_transaction_read_only%3Don"
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, json.dumps(r.json()))"
    )
    result = run_python(code, {"DATABASE_URL": read_only, "VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    status, _, body = result.stdout.strip().splitlines()[-1].partition(" ")
    assert status == "503"
    assert '"error": "read_only"' in body
