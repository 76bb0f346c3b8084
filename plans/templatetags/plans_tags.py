from django import template

from .. import phones

register = template.Library()


@register.filter
def phone_display(value: str) -> str:
    """A stored phone number in the format people read (national for the default region)."""
    return phones.display(value or "")


@register.filter
def tel_href(value: str) -> str:
    return phones.tel_href(value or "")


@register.filter
def sms_href(value: str) -> str:
    return phones.sms_href(value or "")
