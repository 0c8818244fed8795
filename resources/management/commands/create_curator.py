import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create a curator account: staff, in the Curators group (adds and edits, submits for "
        "review), or with --editor in the Editors group (also publishes). Not a superuser. "
        "Prints a generated password unless --password is given, and the sign-in address."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="curator")
        parser.add_argument("--editor", action="store_true", help="may also publish")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="default: a generated one, printed once")
        parser.add_argument("--url", help=f"the site's address (default: {settings.SITE_URL})")

    def handle(self, *args, username, editor, email, password, url, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        password = password or secrets.token_urlsafe(12)
        user = User.objects.create_user(username, email=email, password=password, is_staff=True)
        role = "Editors" if editor else "Curators"
        user.groups.add(Group.objects.get(name=role))
        self.stdout.write(
            f"{'Editor' if editor else 'Curator'} {username!r} created. Password: {password}"
        )
        site = (url or settings.SITE_URL).rstrip("/")
        self.stdout.write(f"Sign in at {site}/{settings.ADMIN_PATH}")
