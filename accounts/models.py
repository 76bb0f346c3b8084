from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClinicianSettings(models.Model):
    """A clinician's own settings: the language of their screens ("" follows the browser)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinician_settings")
    language = models.CharField(_("language of my screens"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("clinician settings")
        verbose_name_plural = _("clinician settings")

    def __str__(self) -> str:
        return f"Settings of user #{self.user_id}"
