"""Point this process's Celery producer at another broker for one test."""

from contextlib import contextmanager

from kombu import pools

from config.celery import app

# What config/settings.py uses with REDIS_URL: fail fast when Redis is down.
REDIS_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}


def _reset_pools():
    if app._pool is not None:
        try:
            app._pool.force_close_all()
        except Exception:  # noqa: BLE001
            pass
    app._pool = None
    # kombu keeps producer pools in a global registry keyed by connection; a closed one would be
    # handed back to later tests ("Acquire on closed pool"), so empty the registry too.
    pools.reset()
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def use_broker(url, transport_options=None):
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.broker_connection_timeout)
    _reset_pools()
    app.conf.broker_url = url
    app.conf.broker_transport_options = transport_options if transport_options is not None else REDIS_OPTIONS
    app.conf.broker_connection_timeout = 2
    try:
        yield app
    finally:
        _reset_pools()
        app.conf.broker_url, app.conf.broker_transport_options, app.conf.broker_connection_timeout = saved
