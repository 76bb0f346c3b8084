from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up contacts")

    def ready(self) -> None:
        from . import extensions

        extensions.register()
