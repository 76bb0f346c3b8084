from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Safety plans")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the print-font check)
