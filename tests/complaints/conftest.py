from tests.workorders.factories import other_company  # noqa: F401
