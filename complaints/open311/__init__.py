"""Open311 GeoReport v2 (issue 15, item 5) for city platforms: ``/open311/v2/``."""
