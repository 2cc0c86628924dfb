"""The benchmark of ``python manage.py benchmark``: data, scenarios, the HTTP runner, the sweep row."""
