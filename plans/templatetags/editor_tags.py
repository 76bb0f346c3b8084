"""The plan editor's fields and entry rows, written out directly.

The editor shows a whole plan: 7 steps, dozens of entries, over a hundred fields. Rendered one by one
through crispy-forms and Django's widget templates, that took most of the editor's time, so its
fields are written here directly. Every value that goes into the markup passes through `_e` (escaped as
Django's `escape` does): what a person typed is never marked safe, only the markup made around it. The markup is Bootstrap's (label, control, message beside it), the same for every field:

- a visible label (`for` the control), or one kept for screen readers where a column heading shows it;
- the control, with its widget's attributes (maxlength, dir, inputmode, type);
- a field with an error: `is-invalid`, `aria-invalid="true"`, and the message beside it, tied to the
  control by `aria-describedby` (help text too).

Entry rows keep the contract editor.js renumbers by: `data-entry`, a fieldset named by its legend
("Person 2"), ids and names `<section>-<n>-<field>`, and row buttons `op` = "<op>:<section>:<n>".
"""

import html
from functools import lru_cache

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeData, SafeString
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext

from ..steps import Section

register = template.Library()

# Attributes the renderer sets itself, whatever a widget declares.
_OWN = frozenset({"id", "name", "class", "value", "type", "aria-invalid", "aria-describedby"})


def _e(value: object) -> str:
    """`value` escaped for HTML text and attribute values (& < > " '), as Django's `escape` does, without its
    lazy-translation wrapper (thousands of calls per editor page). Markup made here (SafeData) passes as is."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value), quote=True)


def _attrs(attrs: dict[str, object]) -> str:
    return "".join(
        f' {_e(key)}="{_e(value)}"' for key, value in attrs.items() if value is not None and value is not False
    )


def _described_by(bound: BoundField) -> str:
    ids = []
    if bound.help_text:
        ids.append(f"{bound.auto_id}_help")
    if bound.errors:
        ids.append(f"{bound.auto_id}_error")
    return " ".join(ids)


def _control_attrs(bound: BoundField) -> dict[str, object]:
    attrs: dict[str, object] = {key: value for key, value in bound.field.widget.attrs.items() if key not in _OWN}
    attrs["id"] = bound.auto_id
    if bound.errors:
        attrs["aria-invalid"] = "true"
    described = _described_by(bound)
    if described:
        attrs["aria-describedby"] = described
    return attrs


def _select(widget: forms.Select, name: str, value: object, classes: str, attrs: dict[str, object]) -> SafeString:
    selected = "" if value is None else str(value)
    options = "".join(
        f'<option value="{_e(key)}"{" selected" if str(key) == selected else ""}>{_e(label)}</option>'
        for key, label in widget.choices
    )
    return SafeString(f'<select name="{name}" class="form-select {classes}"{_attrs(attrs)}>{options}</select>')


def control(bound: BoundField, *, extra_class: str = "") -> SafeString:
    """The input, textarea or select for `bound`, as its widget would write it, with our classes."""
    widget = bound.field.widget
    attrs = _control_attrs(bound)
    classes = _e(("is-invalid " if bound.errors else "") + extra_class)
    name = _e(bound.html_name)
    value = bound.value()
    if isinstance(widget, forms.Select):
        return _select(widget, name, value, classes, attrs)
    shown = _e(widget.format_value(value) or "")
    if isinstance(widget, forms.Textarea):
        # The newline after the tag keeps a value's own first newline (as Django's widget does).
        return SafeString(f'<textarea name="{name}" class="form-control {classes}"{_attrs(attrs)}>\n{shown}</textarea>')
    input_type = _e(widget.attrs.get("type") or getattr(widget, "input_type", "text"))
    if input_type == "hidden":
        return SafeString(f'<input type="hidden" name="{name}" value="{shown}" id="{_e(attrs["id"])}">')
    return SafeString(
        f'<input type="{input_type}" name="{name}" value="{shown}" class="form-control {classes}"{_attrs(attrs)}>'
    )


def _messages(bound: BoundField) -> str:
    parts = []
    if bound.errors:
        parts.append(
            f'<div class="invalid-feedback d-block" id="{_e(bound.auto_id)}_error">{_e(" ".join(str(error) for error in bound.errors))}</div>'
        )
    if bound.help_text:
        parts.append(f'<div class="form-text" id="{_e(bound.auto_id)}_help">{_e(bound.help_text)}</div>')
    return "".join(parts)


@register.simple_tag
def field(bound: BoundField, label_class: str = "form-label", wrapper_class: str = "mb-3") -> SafeString:
    """One field with its label and messages, as crispy-forms lays it out for Bootstrap 5."""
    return SafeString(
        f'<div class="{_e(wrapper_class)}"><label for="{_e(bound.auto_id)}" class="{_e(label_class)}">{_e(bound.label)}</label>'
        f"{control(bound)}{_messages(bound)}</div>"
    )


@register.simple_tag
def hidden_fields(form: forms.Form) -> SafeString:
    """A form's hidden inputs (a formset's management form, the editor's revision)."""
    return SafeString("".join(control(bound) for bound in form.hidden_fields()))


@lru_cache(maxsize=256)
def _row_words(section_key: str, language: str | None, entry_label: str) -> tuple[str, str, str, str]:
    """What every row of a section says, escaped, once per section and language."""
    return (_e(capfirst(entry_label)), _e(gettext("Move up")), _e(gettext("Move down")), _e(gettext("Remove")))


def _row_button(op: str, key: str, index: str, symbol: str, label: str, ref: str) -> str:
    return (
        f'<button type="submit" class="btn btn-sm btn-light border entry-op entry-op-{op}" name="op" value="{op}:{key}:{index}"'
        f' data-op="{op}" title="{label}"><span aria-hidden="true">{symbol}</span><span class="visually-hidden">{label}'
        f"<span data-entry-ref> {ref}</span></span></button>"
    )


@register.simple_tag
def entry_row(form: forms.Form, section: Section, index: int | str) -> SafeString:
    """One entry: a fieldset named "Person 2", its fields on one line where they fit, and its buttons."""
    entry_label = str(section.entry_label)
    legend, up, down, remove = _row_words(section.key, get_language(), entry_label)
    number = _e(gettext("(new)")) if index == "__prefix__" else str(int(index) + 1)
    key, position = _e(section.key), _e(index)
    errors = form.non_field_errors()
    error_box = (
        f'<div class="alert alert-danger py-1 px-2 mb-1 small" id="{_e(form.prefix)}-errors">{_e(" ".join(str(error) for error in errors))}</div>'
        if errors
        else ""
    )
    label_class = "entry-label visually-hidden" if len(section.fields) == 1 else "entry-label"
    fields = "".join(
        f'<div class="entry-field entry-field-{_e(bound.name)}">{field(bound, label_class, "entry-control")}</div>'
        for bound in form.visible_fields()
    )
    ref = f"{_e(entry_label)} {number}"
    return SafeString(
        '<li class="entry" data-entry><fieldset class="entry-fieldset">'
        f'<legend class="visually-hidden">{legend} <span data-entry-number>{number}</span></legend>'
        f"{hidden_fields(form)}{error_box}"
        f'<div class="entry-fields entry-fields-{len(section.fields)} entry-cols-{key}">{fields}</div>'
        '<div class="entry-actions">'
        f"{_row_button('up', key, position, '↑', up, ref)}{_row_button('down', key, position, '↓', down, ref)}"
        f"{_row_button('remove', key, position, '×', remove, ref)}</div></fieldset></li>"
    )


@register.simple_tag
def entry_columns(section: Section) -> SafeString:
    """The column headings over a section's entries (shown where the fields sit side by side). Screen readers
    hear each field's own label instead, so the headings are hidden from them."""
    if len(section.fields) == 1:
        return SafeString("")
    columns = "".join(
        f'<span class="entry-column entry-field-{_e(name)}">{_e(section.labels[name])}</span>'
        for name in section.fields
    )
    return SafeString(
        f'<div class="entry-columns entry-cols-{_e(section.key)}" aria-hidden="true">{columns}</div>'
    )
