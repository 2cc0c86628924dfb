"""Deadlines that enforce themselves: SLA resolution, the work calendar, the deadline rows, the
lifecycle hook, the sweep, their admin, tasks and reads.

Owns: ``calendar`` (the working-day calendar and limit arithmetic), ``engine`` (policies, one row's
computation, opening, meeting, moving and cancelling rows), ``effects`` (the deadlines concern of
the lifecycle's effects registry: what every action does to the clocks, the transition hook),
``sweep`` (reminders, breaches and escalations in bounded batches), ``reads`` (row states for pages
and the API, the preview), ``admin``, ``tasks`` and ``context_processors``. May import:
``workorders.models``, ``complaints.models`` (categories) and ``workorders.lifecycle`` (to register
effects, record system events and raise a level); never the statistics or the notifications.
"""
