import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ["agent", "dispatcher", "handler", "handler2", "supervisor", "manager", "admin"]


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders_for_every_role(client_for, order, username, language):
    client = client_for(username, language)
    for url in [reverse("home"), reverse("workorders:list"), reverse("complaints:search") + "?q=电压",
                reverse("workorders:list") + "?queue=classify"]:
        response = client.get(url)
        assert response.status_code == 200, url
