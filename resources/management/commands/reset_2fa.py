from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from resources.admin.two_factor import reset


class Command(BaseCommand):
    help = (
        "Remove a staff member's second factor (a lost phone and lost recovery codes), so that "
        "they sign in with their password and turn two-factor sign-in on again."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        removed = reset(user)
        self.stdout.write(
            f"Removed {removed} second-factor device(s) of {username!r}: they sign in with their "
            "password now, and should turn two-factor sign-in on again."
        )
