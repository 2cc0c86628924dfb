"""gunicorn's own log lines (its error log, and its access log when one is asked for) as JSON in
JSON mode; ``gunicorn.conf.py`` in the project root names this class, gunicorn reads that file from
its working directory. In text mode gunicorn's formats stay as they are."""

from gunicorn.glogging import Logger as GunicornLogger

from .logs import json_logs_enabled, use_json


class Logger(GunicornLogger):
    def setup(self, cfg):
        super().setup(cfg)
        if json_logs_enabled():
            use_json(self.error_log)
            use_json(self.access_log)
