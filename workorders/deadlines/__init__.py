"""Deadlines that enforce themselves: SLA resolution, the work calendar, the deadline rows, the
lifecycle hook, the sweep, their admin, tasks and reads.

Owns: ``calendar`` (the working-day calendar and limit arithmetic), ``engine`` (policies, one row's
computation, the transition hook that opens, meets, moves and cancels rows), ``sweep`` (reminders,
breaches and escalations in bounded batches), ``reads`` (row states for pages and the API, the
preview), ``admin``, ``tasks`` and ``context_processors``. May import: ``workorders.models`` and
``workorders.lifecycle`` (to record system events and raise a level); never the statistics or the
notifications.
"""
