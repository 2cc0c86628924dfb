"""Statistics: the aggregates kept by the transition hook, their reads (dashboard, summary, pivot),
scheduled reports, Excel exports, and their API, pages, URLs and tasks.

Owns: ``aggregates`` (one order's measures, the hook, the rebuild), ``reads`` (filter, scope,
dashboard, pivot), ``reports``, ``exports``, ``api``, ``views``, ``urls``, ``api_urls``, ``tasks``.
May import: ``workorders.models``, ``workorders.selectors``, ``workorders.filters`` (the order
list an export writes) and ``workorders.lifecycle`` (to register its effects concern); the
lifecycle never imports it.
"""
