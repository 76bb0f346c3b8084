from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneCopyConfig(AppConfig):
    name = "phonecopy"
    verbose_name = _("Plans on phones")
