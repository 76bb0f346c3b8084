"""The plan editor's fields and entry rows, written out directly.

The editor shows a whole plan: 7 steps, dozens of entries, over a hundred fields. Rendered one by one
through crispy-forms and Django's widget templates, that took most of the editor's time, so its
fields are written here directly. Every value that goes into the markup passes through `_e` (escaped as
Django's `escape` does): what a person typed is never marked safe, only the markup made around it.
It serves forms whose labels and widget attributes are declared on the class (it caches them per
class). The markup is Bootstrap's (label, control, message beside it), the same for every field:

- a visible label (`for` the control), or one kept for screen readers where a column heading shows it;
- the control, with its widget's attributes (maxlength, dir, inputmode, type);
- a field with an error: `is-invalid`, `aria-invalid="true"`, and the message beside it, tied to the
  control by `aria-describedby` (help text too).

Entry rows keep the contract editor.js renumbers by: `data-entry`, a fieldset named by its legend
("Person 2"), ids and names `<section>-<n>-<field>`, and row buttons `op` = "<op>:<section>:<n>".
"""

import html
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from django import forms, template
from django.forms import BaseFormSet, BoundField
from django.utils.safestring import SafeData, SafeString
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext

from ..models import Suggestion
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


@dataclass(frozen=True)
class _Field:
    """What the renderer needs of one field: a bound field's, or a field shown with its initial value (the
    editor opened on a saved plan makes no form per entry: see `entry_rows`)."""

    form_class: type
    name: str
    field: forms.Field
    html_name: str
    auto_id: str
    value: object
    errors: tuple[str, ...] = ()
    help_text: str = ""

    @classmethod
    def bound(cls, bound: BoundField) -> "_Field":
        return cls(
            type(bound.form),
            bound.name,
            bound.field,
            bound.html_name,
            bound.auto_id,
            bound.value(),
            tuple(str(error) for error in bound.errors),
            str(bound.help_text or ""),
        )

    @classmethod
    def initial(cls, form_class: type[forms.Form], prefix: str, name: str, value: object) -> "_Field":
        field = form_class.base_fields[name]
        html_name = f"{prefix}-{name}"
        return cls(form_class, name, field, html_name, f"id_{html_name}", field.prepare_value(value))

    def label(self) -> str:
        """The label, escaped, once per form class, field and language (labels are lazy translations)."""
        key = (self.form_class, self.name, get_language())
        label = _LABELS.get(key)
        if label is None:
            label = _LABELS[key] = _e(self.field.label or "")
        return label


_LABELS: dict[tuple[type, str, str | None], str] = {}
# A field's own widget attributes (maxlength, dir, inputmode...), escaped once per form class and field:
# the forms rendered here declare them on the class and never change them per instance.
_WIDGET_ATTRS: dict[tuple[type, str], str] = {}


def _control_attrs(f: _Field, hint: bool = False) -> str:
    key = (f.form_class, f.name)
    static = _WIDGET_ATTRS.get(key)
    if static is None:
        static = _WIDGET_ATTRS[key] = _attrs(
            {name: value for name, value in f.field.widget.attrs.items() if name not in _OWN}
        )
    dynamic: dict[str, object] = {"id": f.auto_id}
    described = [f"{f.auto_id}_help"] if f.help_text else []
    if f.errors:
        dynamic["aria-invalid"] = "true"
        described.append(f"{f.auto_id}_error")
    if hint:
        described.append(f"{f.auto_id}_hint")
    if described:
        dynamic["aria-describedby"] = " ".join(described)
    return static + _attrs(dynamic)


def _select(widget: forms.Select, name: str, value: object, classes: str, attrs: str) -> str:
    selected = "" if value is None else str(value)
    options = "".join(
        f'<option value="{_e(key)}"{" selected" if str(key) == selected else ""}>{_e(label)}</option>'
        for key, label in widget.choices
    )
    return f'<select name="{name}" class="form-select {classes}"{attrs}>{options}</select>'


def _control(f: _Field, extra_class: str = "", *, hint: bool = False) -> str:
    """The input, textarea or select, as its widget would write it, with our classes."""
    widget = f.field.widget
    name = _e(f.html_name)
    if isinstance(widget, forms.HiddenInput):
        return (
            f'<input type="hidden" name="{name}" value="{_e(widget.format_value(f.value) or "")}" id="{_e(f.auto_id)}">'
        )
    attrs = _control_attrs(f, hint)
    classes = _e(("is-invalid " if f.errors else "") + extra_class)
    if isinstance(widget, forms.Select):
        return _select(widget, name, f.value, classes, attrs)
    shown = _e(widget.format_value(f.value) or "")
    if isinstance(widget, forms.Textarea):
        # The newline after the tag keeps a value's own first newline (as Django's widget does).
        return f'<textarea name="{name}" class="form-control {classes}"{attrs}>\n{shown}</textarea>'
    input_type = _e(widget.attrs.get("type") or getattr(widget, "input_type", "text"))
    return f'<input type="{input_type}" name="{name}" value="{shown}" class="form-control {classes}"{attrs}>'


def _messages(f: _Field) -> str:
    parts = []
    if f.errors:
        parts.append(f'<div class="invalid-feedback d-block" id="{_e(f.auto_id)}_error">{_e(" ".join(f.errors))}</div>')
    if f.help_text:
        parts.append(f'<div class="form-text" id="{_e(f.auto_id)}_help">{_e(f.help_text)}</div>')
    return "".join(parts)


def _checkboxes(f: _Field) -> str:
    """Any of several choices: a group named by the field's label, one labelled checkbox per choice."""
    widget = f.field.widget
    assert isinstance(widget, forms.CheckboxSelectMultiple)
    chosen = {str(value) for value in (f.value or [])} if isinstance(f.value, list | tuple) else set()
    name, auto_id = _e(f.html_name), _e(f.auto_id)
    boxes = "".join(
        f'<span class="form-check form-check-inline"><input class="form-check-input" type="checkbox" name="{name}"'
        f' value="{_e(key)}" id="{auto_id}_{index}"{" checked" if str(key) in chosen else ""}>'
        f'<label class="form-check-label" for="{auto_id}_{index}">{_e(label)}</label></span>'
        for index, (key, label) in enumerate(widget.choices)
    )
    described = f' aria-describedby="{auto_id}_error"' if f.errors else ""
    return f'<div class="entry-checks" role="group" aria-labelledby="{auto_id}_label"{described}>{boxes}</div>'


def _hint(f: _Field, hint: str) -> str:
    return f'<div class="form-text vague-hint" id="{_e(f.auto_id)}_hint">{_e(hint)}</div>' if hint else ""


def _field_html(f: _Field, label_class: str, wrapper_class: str, hint: str = "") -> str:
    if isinstance(f.field.widget, forms.CheckboxSelectMultiple):
        return (
            f'<div class="{_e(wrapper_class)}"><span id="{_e(f.auto_id)}_label" class="{_e(label_class)}">{f.label()}</span>'
            f"{_checkboxes(f)}{_messages(f)}</div>"
        )
    return (
        f'<div class="{_e(wrapper_class)}"><label for="{_e(f.auto_id)}" class="{_e(label_class)}">{f.label()}</label>'
        f"{_control(f, hint=bool(hint))}{_messages(f)}{_hint(f, hint)}</div>"
    )


@register.simple_tag
def field(bound: BoundField, label_class: str = "form-label", wrapper_class: str = "mb-3") -> SafeString:
    """One field with its label and messages, as crispy-forms lays it out for Bootstrap 5."""
    return SafeString(_field_html(_Field.bound(bound), label_class, wrapper_class))


@register.simple_tag
def hidden_fields(form: forms.Form) -> SafeString:
    """A form's hidden inputs (a formset's management form, the editor's revision)."""
    return SafeString("".join(_control(_Field.bound(bound)) for bound in form.hidden_fields()))


@register.simple_tag
def formset_head(formset: BaseFormSet[forms.Form]) -> SafeString:
    """A formset's management form and its own messages (too many entries, ...). In Python: a template's
    `formset.management_form` first tries `formset["management_form"]`, which makes a form for every entry."""
    errors = formset.non_form_errors()
    box = (
        f'<div class="alert alert-danger small">{"".join(f"{_e(error)} " for error in errors)}</div>' if errors else ""
    )
    if formset.is_bound:  # as posted (a page shown again with its messages)
        return SafeString(hidden_fields(formset.management_form) + box)
    # What Django's management form writes, without making the form (its number formatting cost most).
    counts = {
        "TOTAL_FORMS": formset.total_form_count(),
        "INITIAL_FORMS": formset.initial_form_count(),
        "MIN_NUM_FORMS": formset.min_num,
        "MAX_NUM_FORMS": formset.max_num,
    }
    inputs = "".join(
        f'<input type="hidden" name="{_e(name)}" value="{int(value)}" id="id_{_e(name)}">'
        for name, value in ((formset.add_prefix(key), value) for key, value in counts.items())
    )
    return SafeString(inputs + box)


@register.simple_tag
def suggestion_buttons(section: Section, suggestions: list[Suggestion]) -> SafeString:
    """The ideas offered for a section, each a button that adds it (then changed into the client's words)."""
    key = _e(section.key)
    caution_word = _e(gettext("Caution:"))
    parts = []
    for suggestion in suggestions:
        text, pk = _e(suggestion.text), _e(suggestion.pk)
        described = f' aria-describedby="caution-{pk}"' if suggestion.caution else ""
        parts.append(
            f'<button type="submit" class="btn btn-sm btn-light border suggestion" name="op" value="suggest:{key}:{text}"'
            f' data-op="suggest" data-text="{text}"{described}>+ {text}</button>'
        )
        if suggestion.caution:
            parts.append(
                f'<span class="small text-warning-emphasis caution" id="caution-{pk}">{caution_word} '
                f"{_e(suggestion.caution)}</span>"
            )
    return SafeString("\n".join(parts))


@lru_cache(maxsize=256)
def _row_words(section_key: str, language: str | None, entry_label: str) -> tuple[str, str, str, str, str]:
    """What every row of a section says, escaped, once per section and language."""
    return (
        _e(capfirst(entry_label)),
        _e(gettext("Move up")),
        _e(gettext("Move down")),
        _e(gettext("Remove")),
        _e(gettext("(new)")),
    )


def _row_button(op: str, key: str, index: str, symbol: str, label: str, ref: str) -> str:
    return (
        f'<button type="submit" class="btn btn-sm btn-light border entry-op entry-op-{op}" name="op" value="{op}:{key}:{index}"'
        f' data-op="{op}" title="{label}"><span aria-hidden="true">{symbol}</span><span class="visually-hidden">{label}'
        f"<span data-entry-ref> {ref}</span></span></button>"
    )


def _row(
    section: Section,
    index: int | str,
    prefix: str,
    fields: list[_Field],
    non_field_errors: list[str],
    hints: Mapping[str, str] | None = None,
) -> str:
    """One entry: a fieldset named "Person 2", its fields on one line where they fit, and its buttons."""
    entry_label = str(section.entry_label)
    legend, up, down, remove, new = _row_words(section.key, get_language(), entry_label)
    number = new if index == "__prefix__" else str(int(index) + 1)
    key, position = _e(section.key), _e(index)
    error_box = (
        f'<div class="alert alert-danger py-1 px-2 mb-1 small" id="{_e(prefix)}-errors">{_e(" ".join(non_field_errors))}</div>'
        if non_field_errors
        else ""
    )
    label_class = "entry-label visually-hidden" if len(section.fields) == 1 else "entry-label"
    hidden = "".join(_control(f) for f in fields if isinstance(f.field.widget, forms.HiddenInput))
    shown = "".join(
        f'<div class="entry-field entry-field-{_e(f.name)}">'
        f"{_field_html(f, label_class, 'entry-control', (hints or {}).get(f.html_name, ''))}</div>"
        for f in fields
        if not isinstance(f.field.widget, forms.HiddenInput)
    )
    ref = f"{_e(entry_label)} {number}"
    stacked = "" if section.one_line else " entry-fields-labelled"
    return (
        '<li class="entry" data-entry><fieldset class="entry-fieldset">'
        f'<legend class="visually-hidden">{legend} <span data-entry-number>{number}</span></legend>'
        f"{hidden}{error_box}"
        f'<div class="entry-fields entry-fields-{len(section.fields)} entry-cols-{key}{stacked}">{shown}</div>'
        '<div class="entry-actions">'
        f"{_row_button('up', key, position, '↑', up, ref)}{_row_button('down', key, position, '↓', down, ref)}"
        f"{_row_button('remove', key, position, '×', remove, ref)}</div></fieldset></li>"
    )


def _row_from_initial(
    formset: BaseFormSet[forms.Form],
    section: Section,
    index: int | str,
    initial: Mapping[str, object],
    hints: Mapping[str, str] | None = None,
) -> str:
    form_class = formset.form
    prefix = formset.add_prefix(index)
    names = ["uid", *section.fields]
    fields = [_Field.initial(form_class, prefix, name, initial.get(name)) for name in names]
    return _row(section, index, prefix, fields, [], hints)


@register.simple_tag
def entry_rows(
    formset: BaseFormSet[forms.Form], section: Section, hints: Mapping[str, str] | None = None
) -> SafeString:
    """Every entry row of a section. A posted formset (with its messages) is shown form by form; a saved plan
    is shown from its values, without making a form per entry (most of the editor's time, otherwise)."""
    if formset.is_bound:
        rows = [
            _row(
                section,
                index,
                str(form.prefix),
                [_Field.bound(bound) for bound in form],
                [str(error) for error in form.non_field_errors()],
                hints,
            )
            for index, form in enumerate(formset.forms)
        ]
    else:
        initial = list(formset.initial or [])
        rows = [_row_from_initial(formset, section, index, values, hints) for index, values in enumerate(initial)]
        rows += [_row_from_initial(formset, section, len(initial) + extra, {}) for extra in range(formset.extra)]
    return SafeString("".join(rows))


@register.simple_tag
def empty_entry_row(formset: BaseFormSet[forms.Form], section: Section) -> SafeString:
    """The row editor.js copies when a row is added (`__prefix__` where the number goes). The same for every
    page of a section in a language (it holds no one's words), so it is made once for each."""
    key = (formset.form, formset.prefix, section.key, get_language())
    row = _EMPTY_ROWS.get(key)
    if row is None:
        row = _EMPTY_ROWS[key] = _row_from_initial(formset, section, "__prefix__", {})
    return SafeString(row)


_EMPTY_ROWS: dict[tuple[type, str | None, str, str | None], str] = {}


@register.simple_tag
def entry_columns(section: Section) -> SafeString:
    """The column headings over a section's entries (shown where the fields sit side by side). Screen readers
    hear each field's own label instead, so the headings are hidden from them."""
    if len(section.fields) == 1 or not section.one_line:
        return SafeString("")
    columns = "".join(
        f'<span class="entry-column entry-field-{_e(name)}">{_e(section.labels[name])}</span>'
        for name in section.fields
    )
    return SafeString(f'<div class="entry-columns entry-cols-{_e(section.key)}" aria-hidden="true">{columns}</div>')
