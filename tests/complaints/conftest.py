from tests.workorders.factories import all_roles_user, build, client_for, media_tmp, other_company  # noqa: F401
