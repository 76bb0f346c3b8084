from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Safety plans")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from . import library
        from .models import CrisisResource, StepText, Suggestion, VaguePhrase

        # The organisation's library is read through the shared cache (plans.library): a change empties it.
        for model in (CrisisResource, StepText, Suggestion, VaguePhrase):
            post_save.connect(library.forget, sender=model, dispatch_uid=f"library-forget-save-{model.__name__}")
            post_delete.connect(library.forget, sender=model, dispatch_uid=f"library-forget-delete-{model.__name__}")
        post_migrate.connect(library.forget_after_migrate, sender=self, dispatch_uid="library-forget-migrate")
