from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def cookie_lifetime(days: int | None) -> str:
    """'Until the browser closes', '1 year', '14 days': the way a cookie's lifetime is read."""
    if days is None:
        return _("Until the browser closes")
    if days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


@register.filter
def translate_text(value: str) -> str:
    """Translate text stored in the database when the catalogue knows it (the launch texts)."""
    return _(value) if value else value
