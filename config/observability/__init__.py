"""What operators see of a running system: ``/metrics`` for Prometheus and one JSON object per log line.

- ``context``: the request or task a log line belongs to (a contextvar).
- ``middleware``: the request id, the log context and the request-latency histogram.
- ``logs``: the JSON formatter and the filter that stamps the context on each record.
- ``metrics`` and ``collectors``: the histograms observed in-process and the gauges read at scrape time.
- ``views``: ``/metrics`` itself (loopback, ``METRICS_ALLOWED_IPS`` or ``METRICS_TOKEN`` only).
- ``celery_signals``: task ids in the worker's logs, task durations, JSON logs in the worker and beat.
- ``gunicorn``: gunicorn's own log lines as JSON (``gunicorn.conf.py`` names it).

Model-free at import time: ``config/__init__.py`` imports ``celery_signals`` in every process.
"""
