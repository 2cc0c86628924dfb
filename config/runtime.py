"""Runtime directories, created when a process starts (never when settings are imported).

The embedded mode keeps its SQLite file, the filesystem broker's folders, the beat schedule and the
media under ``VAR_DIR``; WhiteNoise expects ``STATIC_ROOT`` to exist. ``manage.py``, ``wsgi.py``,
``asgi.py`` and the Celery worker and beat call ``prepare_runtime_dirs()`` as they start.
"""

from pathlib import Path

from django.conf import settings


def runtime_dirs() -> list[Path]:
    """The directories this configuration writes to (only those under its own control)."""
    dirs = [Path(settings.VAR_DIR), Path(settings.STATIC_ROOT)]
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folders = ("data_folder_in", "processed_folder", "control_folder")
        dirs += [Path(options[k]) for k in folders if k in options]
    return dirs


def prepare_runtime_dirs() -> None:
    for path in runtime_dirs():
        path.mkdir(parents=True, exist_ok=True)
