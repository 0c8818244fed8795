import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-right-password"


@pytest.fixture
def curator():
    return User.objects.create_user("curie", password=PASSWORD, is_staff=True)


def sign_in(client, password):
    return client.post(
        reverse("admin:login"),
        {"username": "curie", "password": password, "next": reverse("admin:index")},
    )


def test_after_five_failed_sign_ins_the_right_password_does_not_get_in_until_the_lockout_ends(
    client, curator
):
    from axes.models import AccessAttempt

    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, "wrong").status_code == 429  # the fifth failure locks the account
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "Sign-in is paused" in response.content.decode()
    assert "_auth_user_id" not in client.session

    # Fifteen minutes later (the cool-off), the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=16))
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(curator.pk)


def test_a_success_resets_the_count_of_failures(client, curator):
    for _ in range(4):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302


def test_the_admin_path_is_configurable(settings):
    from django.urls import clear_url_caches, resolve

    assert reverse("admin:index") == "/admin/"
    settings.ADMIN_PATH = "curation-desk/"
    import importlib

    import library.urls

    try:
        importlib.reload(library.urls)
        clear_url_caches()
        assert resolve("/curation-desk/").app_name == "admin"
    finally:
        settings.ADMIN_PATH = "admin/"
        importlib.reload(library.urls)
        clear_url_caches()
