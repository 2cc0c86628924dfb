"""Both run modes come from the same settings module and only the environment differs."""

from tests.helpers import ROOT, run_python, settings_in

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Kq2-production-like-secret-key-with-enough-length-and-entropy-91ad",
    "ALLOWED_HOSTS": "workorders.example.internal",
    "DATABASE_URL": "postgres://user:pw@db.example.internal:5432/workorders",
    "REDIS_URL": "redis://cache.example.internal:6379/0",
}


def test_embedded_default_uses_sqlite_and_filesystem_broker(tmp_path):
    s = settings_in(
        {"VAR_DIR": str(tmp_path)},
        "DATABASES",
        "CELERY_BROKER_URL",
        "CACHES",
        "DEBUG",
        "TIME_ZONE",
        "LANGUAGE_CODE",
        "USE_TZ",
    )
    assert "sqlite3" in s["DATABASES"] and str(tmp_path / "db.sqlite3") in s["DATABASES"]
    assert s["CELERY_BROKER_URL"] == "filesystem://"
    assert not (tmp_path / "celery").exists(), "importing the settings must not create directories"
    assert "LocMemCache" in s["CACHES"]
    assert s["DEBUG"] == "True"
    assert (s["TIME_ZONE"], s["LANGUAGE_CODE"], s["USE_TZ"]) == ("Asia/Shanghai", "zh-hans", "True")


def test_production_mode_uses_postgres_and_redis():
    s = settings_in(PRODUCTION, "DATABASES", "CELERY_BROKER_URL", "CACHES", "DEBUG", "STORAGES")
    assert "postgresql" in s["DATABASES"] and "'CONN_HEALTH_CHECKS': True" in s["DATABASES"]
    assert "'CONN_MAX_AGE': 60" in s["DATABASES"]
    assert s["CELERY_BROKER_URL"] == PRODUCTION["REDIS_URL"]
    assert "RedisCache" in s["CACHES"]
    assert s["DEBUG"] == "False"
    assert "whitenoise" in s["STORAGES"]


def test_check_deploy_passes_without_warnings_in_production_mode():
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_no_cdn_in_templates():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "templates").rglob("*.html")
        if "://" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_processes_create_the_embedded_runtime_dirs_when_they_start(tmp_path):
    # given the embedded mode in a fresh VAR_DIR; when manage.py starts a command
    result = run_python(
        "import sys; sys.argv = ['manage.py', 'check']; import manage; manage.main()",
        {"VAR_DIR": str(tmp_path)},
    )
    # then the broker's folders and the static root exist
    assert result.returncode == 0, result.stderr
    for sub in ("celery/queue", "celery/processed", "celery/control", "staticfiles"):
        assert (tmp_path / sub).is_dir(), sub
