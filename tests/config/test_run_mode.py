"""The newcomer's two commands: `make run` on the port from PORT with e-mails in var/mail/, and
`make test` without a browser (the rest runs and a loud line says what was skipped; CI fails)."""

import os
import shutil
import stat
import subprocess

import pytest
from django.core.management import call_command

from tests.helpers import ROOT, settings_in

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(*args, env=None, timeout=60) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("PORT", "CI", "MAKEFLAGS", "MAKELEVEL")}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@needs_make
def test_make_run_serves_and_prints_the_port_from_PORT():
    # when
    dry = make("-n", "run", "PORT=8123")
    default = make("-n", "run")
    # then
    assert dry.returncode == 0, dry.stderr
    assert "http://127.0.0.1:8123" in dry.stdout and "--port 8123" in dry.stdout
    assert "8000" not in dry.stdout
    assert "http://127.0.0.1:8000" in default.stdout and "--port 8000" in default.stdout
    # honcho hands PORT to the web process, which listens on it
    web = next(line for line in (ROOT / "Procfile.dev").read_text().splitlines() if line.startswith("web:"))
    assert "runserver 127.0.0.1:${PORT:-8000}" in web


@needs_make
def test_make_run_prints_its_progress_and_keeps_the_seed_output():
    dry = make("-n", "run", "PORT=8123")
    assert "/dev/null" not in dry.stdout
    assert "migrate --no-input -v 1" in dry.stdout


def test_embedded_mode_writes_mails_to_var_mail(tmp_path):
    s = settings_in({"VAR_DIR": str(tmp_path)}, "EMAIL_BACKEND", "EMAIL_FILE_PATH")
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert s["EMAIL_FILE_PATH"] == str(tmp_path / "mail")
    assert not (tmp_path / "mail").exists(), "importing the settings must not create directories"


def test_a_mail_host_sends_by_smtp_even_in_development(tmp_path):
    s = settings_in({"VAR_DIR": str(tmp_path), "EMAIL_HOST": "mail.example.internal"}, "EMAIL_BACKEND")
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.django_db
def test_seed_demo_prints_every_login_with_role_and_password_and_where_mails_go(settings, capsys):
    # given
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = "/srv/var/mail"
    # when
    call_command("seed_demo", "--logins-only")
    # then
    out = capsys.readouterr().out
    lines = out.splitlines()
    for username, role in [
        ("agent", "agent"),
        ("dispatcher", "dispatcher"),
        ("handler", "handler"),
        ("handler2", "handler"),
        ("handler3", "handler"),
        ("handler_cx", "handler"),
        ("handler_cn", "handler"),
        ("handler_js", "handler"),
        ("supervisor", "supervisor"),
        ("manager", "manager"),
        ("admin", "admin"),
    ]:
        assert any(line.split()[:3] == [username, role, settings.DEMO_PASSWORD] for line in lines), username
    assert "/srv/var/mail/" in out


def _fake_python(tmp_path):
    """A stand-in for the venv's python: records its arguments and passes."""
    script = tmp_path / "python"
    script.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\nexit 0\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@needs_make
def test_make_test_without_a_browser_runs_the_rest_and_says_so_loudly(tmp_path):
    # given: no browser, and no way to install one
    python = _fake_python(tmp_path)
    # when
    result = make(
        "-o", ".venv/.installed-dev", "-o", ".venv/.installed", "test",
        f"PY={python}", f"CHROMIUM={tmp_path}/no-chromium", "BROWSER_INSTALL=0",
    )  # fmt: skip
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "args").read_text().split()[-3:] == ["-m", "not", "e2e"]
    assert "BROWSER TESTS SKIPPED" in result.stdout
    assert "apt-get install -y chromium" in result.stdout.split("BROWSER TESTS SKIPPED")[1]


@needs_make
def test_make_test_in_ci_fails_when_the_browser_is_missing(tmp_path):
    python = _fake_python(tmp_path)
    result = make(
        "-o", ".venv/.installed-dev", "-o", ".venv/.installed", "test",
        f"PY={python}", f"CHROMIUM={tmp_path}/no-chromium", "BROWSER_INSTALL=0",
        env={"CI": "true"},
    )  # fmt: skip
    assert result.returncode != 0
    assert not (tmp_path / "args").exists(), "no test ran"


@needs_make
def test_make_test_with_a_browser_runs_everything(tmp_path):
    python = _fake_python(tmp_path)
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    result = make(
        "-o", ".venv/.installed-dev", "-o", ".venv/.installed", "test",
        f"PY={python}", f"CHROMIUM={chromium}", "PYTEST_ARGS=-q",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "args").read_text().split() == ["-m", "pytest", "-q"]
    assert "SKIPPED" not in result.stdout
