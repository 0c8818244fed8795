import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create a curator account for local use: staff, in the Curators group, not a superuser. "
        "Prints a generated password unless --password is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="curator")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="default: a generated one, printed once")

    def handle(self, *args, username, email, password, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        password = password or secrets.token_urlsafe(12)
        user = User.objects.create_user(username, email=email, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name="Curators"))
        self.stdout.write(f"Curator {username!r} created. Password: {password}")
        self.stdout.write("Sign in at http://127.0.0.1:8000/admin/")
