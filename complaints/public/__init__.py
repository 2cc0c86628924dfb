"""The customer's side, public (issue 15): the progress lookup (``/track/``, ``/api/v1/public/track/``)
and web intake (``/complain/``). No session needed; every answer is logged; abuse is throttled per
address (and per tracking number or phone) with ``settings.THROTTLE_RATES``' ``public_*`` scopes.

- ``selectors``: which order a (tracking number, phone suffix) pair opens and what its customer is
  told (the stage in plain words, the dates, the approved reply; drafts and merged orders);
- ``services``: the lookup's answer and the web filing (through the staff intake service, as the
  ``web_intake_user``), each logged in ``PublicRequest``;
- ``throttling``: the public limits and the client's address; ``challenge``: the web form's signed
  one-time token and sum;
- ``views`` / ``forms`` (pages), ``api`` / ``serializers`` (the public API); the survey (issue 15,
  item 3) lives in ``survey*.py``.
"""
