"""Notifications: who is told what about a work order, and how.

Owns the matrix (``NotificationRule``: event type → recipients → channels), the message templates,
the in-app inbox, the outbox (``Delivery``, sent by Celery workers) and its log, webhook
subscriptions, users' preferences (quiet hours, language, channels per event), the channel registry
(``channels/``: inbox, email, SMS, webhook) and the event types (``events``). Its defaults are
created after every ``migrate`` and by ``manage.py sync_notifications``.

It hangs on the work-order transition hooks: ``services.on_workorder_event`` is listed in
``settings.WORKORDER_TRANSITION_HOOKS`` and runs in each transition's transaction.

Imports: it may import ``accounts``, ``complaints`` and ``workorders``. Nothing imports
``notifications``: only dotted strings name it, in the settings (the app, the hook list, the beat
job, SMS backends, an API schema enum), the URL configuration and the navigation's unread badge
(``accounts.context_processors``).
"""
