"""The customer's side, public (issue 15): the progress lookup (``/track/``, ``/api/v1/public/track/``)
and web intake (``/complain/``). No session needed; every answer is logged; abuse is throttled per
address (and per tracking number or phone) with ``settings.THROTTLE_RATES``' ``public_*`` scopes.
"""
