from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """How many attempts one (keyed-hash) client or address made in the current window.

    Counted in the database, not in a cache: the database is what every worker and every
    host shares, and its row lock makes the count exact (a cache's get-then-set is not).
    """

    key = models.CharField(_("key"), max_length=64, primary_key=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    expires_at = models.DateTimeField(_("window ends"), db_index=True)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        default_permissions = ()

    def __str__(self):
        return f"{self.key[:12]}… {self.count}"
