"""The work: work orders, their lifecycle, deadlines, statistics, intake and demo data.

One Django app (label ``workorders``) in packages by concern; docs/architecture.md has the map.

- ``models/``: every model of the app (``orders``, ``deadlines``, ``stats``), re-exported by
  ``workorders.models``;
- ``lifecycle/``: the action table, ``perform()``, the event writer and the effects registry;
- ``deadlines/``: the work calendar, the deadline rows, their effects per action, the sweep;
- ``stats/``: aggregates, dashboard, pivot, reports, exports (with their API, pages and tasks);
- ``intake/``: a complaint comes in and its order opens (API and the agent's pages);
- ``demo/``: the demo orders of ``seed_demo``;
- modules at the top: ``rules`` (repeat detection, duplicates, level floors), ``selectors`` (scope
  and lists), ``services`` (writes that are not lifecycle actions), ``queues``, and the order
  pages and API (``views``, ``api``, ``serializers``, ``forms``, ``filters``, ``admin``).

Imports point one way: accounts ← complaints ← workorders ← notifications. Inside the app,
``models`` import nothing of it; ``lifecycle`` imports ``models``, ``rules`` and ``selectors``;
``deadlines`` and ``stats`` import ``lifecycle`` (never the other way round).
"""
