"""Open311 GeoReport v2 (issue 15, item 5) for city platforms (12345 hotlines, city hubs), at
``/open311/v2/``; every endpoint answers JSON (``.json``) or XML (``.xml``):

- ``GET services.{fmt}``: the category leaves as services (``service_code`` = the leaf's code,
  ``service_name``, ``description`` = its path, ``metadata`` false, ``type`` realtime, ``keywords``,
  ``group`` = its first-level name). No key needed.
- ``GET services/{code}.{fmt}``: a service definition (no attributes: no service has metadata).
- ``POST requests.{fmt}`` with ``api_key``: files a complaint (services.py says how the fields map
  and how a retry is answered once) → ``[{service_request_id, service_notice, account_id}]``, 201;
  ``service_request_id`` is the tracking number.
- ``GET requests.{fmt}`` and ``GET requests/{id}.{fmt}`` with a key: the client's own requests
  (selectors.py says what is shown and to whom) with ``status`` open/closed, ``status_notes``,
  ``agency_responsible``, ``requested_datetime``, ``updated_datetime``, ….
- Anything else (``tokens/{id}`` included: an id is answered at once, so there are no tokens): 404.

The key is the ``api_key`` parameter (query string, or the form of a POST), or the password (or
user name) of HTTP Basic authentication, for a client that cannot add parameters to its reads
(``http://api:KEY@host/open311/v2/`` as its root address).
A missing or wrong key is 403; bad input 400; a request of another client 404, as a missing one.
Errors are the spec's ``[{"code", "description"}]`` (``<errors><error>…`` in XML), the HTTP status
the same as ``code``. Chinese unless ``locale`` (``en``) or ``Accept-Language`` asks for English.
``jurisdiction_id`` is accepted and ignored (one jurisdiction). Keys are issued in the admin
(``accounts.Open311Client``). Not in the DRF OpenAPI schema: the spec is the contract.
"""
