"""gunicorn's settings file (read from the working directory when no --config is given).

Only what the command lines of Procfile, Dockerfile and docker-compose.yml do not say: gunicorn's
own log lines become JSON objects in production mode (LOG_FORMAT=json, the default with DEBUG off),
like the application's. See README, "Operations: metrics and logs".
"""

logger_class = "config.observability.gunicorn.Logger"
