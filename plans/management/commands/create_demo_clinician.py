import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from plans import actions


class Command(BaseCommand):
    help = "Development only: create a demo clinician and print its sign-in once."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("create_demo_clinician only runs with DJANGO_DEBUG=1 (development).")
        User = get_user_model()
        if User.objects.filter(username="demo").exists():
            self.stdout.write("Demo clinician 'demo' already exists (its password was printed when it was made).")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username="demo", password=password, first_name="Demo", last_name="Clinician", is_staff=True
        )
        actions.create_client(by=user, data=actions.ClientData(name="Sam Example", preferred_name="Sam"))
        self.stdout.write(self.style.SUCCESS("Demo clinician created. Sign in at http://127.0.0.1:8000 with:"))
        self.stdout.write(f"    username: demo\n    password: {password}")
        self.stdout.write("(Shown once. Development only; production settings refuse this command.)")
