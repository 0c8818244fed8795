"""A second factor for staff: required of editors who publish, where the settings say so."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from resources.models import Resource
from tests.helpers import make_resource

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-right-password"


@pytest.fixture
def editor():
    user = User.objects.create_user("ada", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def sign_in(client, code=""):
    return client.post(
        reverse("admin:login"),
        {"username": "ada", "password": PASSWORD, "otp_token": code, "next": "/admin/"},
    )


def publish(client, resource):
    client.post(
        reverse("admin:resources_book_changelist"),
        {"action": "publish", "_selected_action": [resource.pk]},
    )
    resource.refresh_from_db()
    return resource.status == "published"


def turn_on(client, user):
    """Set up the authenticator app as a person would; returns the recovery codes."""
    assert client.get(reverse("admin_two_factor")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post(reverse("admin_two_factor"), {"code": str(totp(device.bin_key)).zfill(6)})
    assert "Two-factor sign-in is <strong>on</strong>" in page.content.decode()
    return re.findall(r"<li><code>(\w+)</code></li>", page.content.decode())


def test_an_editor_without_a_second_factor_cannot_publish_where_it_is_required(
    client, editor, settings
):
    settings.ADMIN_REQUIRE_2FA = True
    book = make_resource(title="Waiting", status="review", published_at=None)
    assert sign_in(client).status_code == 302
    index = client.get(reverse("admin:index")).content.decode()
    assert "To publish, sign in with a second factor" in index
    page = client.get(reverse("admin:resources_book_change", args=[book.pk])).content.decode()
    assert 'value="published"' not in page and "Approve and publish" not in page
    assert not publish(client, book)


def test_an_editor_turns_on_two_factor_sign_in_and_then_publishes(client, editor, settings):
    settings.ADMIN_REQUIRE_2FA = True
    book = make_resource(title="Waiting", status="review", published_at=None)
    sign_in(client)
    codes = turn_on(client, editor)
    assert len(codes) == 10
    assert publish(client, book)  # the session that turned it on is verified

    other = Client()
    response = sign_in(other)  # the password alone no longer signs in
    assert response.status_code == 200 and "Enter the code" in response.content.decode()
    device = TOTPDevice.objects.get(user=editor)
    device.refresh_from_db()
    assert sign_in(other, codes[0]).status_code == 302  # a recovery code, once
    assert sign_in(Client(), codes[0]).status_code == 200
    Resource.objects.filter(pk=book.pk).update(status="review")
    assert publish(other, book)


def test_a_lost_device_is_reset_by_a_command(client, editor, capsys):
    sign_in(client)
    turn_on(client, editor)
    assert sign_in(Client()).status_code == 200
    call_command("reset_2fa", "ada")
    assert "Removed 2 second-factor device(s)" in capsys.readouterr().out
    assert sign_in(Client()).status_code == 302
