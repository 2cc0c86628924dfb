"""Outage events (停电事件) and bulk handling of the complaints they cause (issue 16, item 6).

The rules (who enters outages, how complaints are matched, what each bulk action maps to in the
lifecycle, idempotency) are written once, in ``services``' docstring. The modules:

- ``models``: ``OutageEvent``, ``OutageLink`` (suggested or confirmed, one per outage and order),
  ``OutageBulkRun`` (a bulk request kept by its idempotency key); part of the ``workorders`` app
  (imported in ``workorders.models``; migration ``0013_outage_events``);
- ``selectors``: the matching rule, the orders under an outage in the viewer's scope, counts;
- ``services``: ``outage_create``, ``outage_record_suggestions``, ``outage_link``, ``outage_bulk``;
- ``views``/``urls`` (``/outages/``), ``api``/``api_urls`` (``/api/v1/outages/``), ``admin``, ``demo``.

May import: ``workorders.models``, ``workorders.selectors``, ``workorders.lifecycle`` (``perform``),
``workorders.intake.services`` (demo only), ``accounts``, ``complaints``, ``config.errors``.
"""
