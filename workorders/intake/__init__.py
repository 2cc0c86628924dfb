"""Intake: a complaint comes in and its work order opens.

Owns: ``services`` (``complaint_register``, the ``Idempotency-Key`` replay), ``selectors`` (the
customer lookup with the orders the caller may see), ``serializers`` and ``api`` (intake and
customer lookup under /api/v1/), ``views`` and ``urls`` (the agent's workbench: intake, lookup,
urging from the intake page, the customer page and the global search; their URL names keep the
``complaints:`` namespace). May import: ``workorders.lifecycle``, ``rules``, ``selectors``,
``services`` and the apps below (accounts, complaints).
"""
