from tests.workorders.factories import all_roles_user, media_tmp, other_company  # noqa: F401
