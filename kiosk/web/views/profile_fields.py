"""The optional profile questions (kiosk.profile) as form fields, with their explanations."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from kiosk.profile import AGE_BANDS, COMPANY_NEW, GENDERS, SIZE_CLASSES

PROFILE_FIELDS = ("size_class", "company_new", "gender", "age_band")


def profile_choices() -> list[dict[str, Any]]:
    """Each question: its field name, label, explanation and (value, label) options."""
    labels = {
        "micro": _l("Micro (under 10 people)"),
        "small": _l("Small (10–49 people)"),
        "medium": _l("Medium (50–249 people)"),
        "large": _l("Large (250 people or more)"),
        "yes": _l("Yes"),
        "no": _l("No"),
        "woman": _l("Woman"),
        "man": _l("Man"),
        "non_binary": _l("Non-binary"),
        "not_said": _l("Prefer not to say"),
        "under_30": _l("Under 30"),
        "30_54": _l("30–54"),
        "55_plus": _l("55 or over"),
    }
    questions = [
        ("size_class", _l("Size of the company"), _l("By the number of people working in it."),
         SIZE_CLASSES),
        ("company_new", _l("Founded less than three years ago?"), "", COMPANY_NEW),
        ("gender", _l("Gender"), "", GENDERS),
        ("age_band", _l("Age"), "", AGE_BANDS),
    ]  # fmt: skip
    return [
        {
            "name": name,
            "label": label,
            "hint": hint,
            "options": [(value, labels[value]) for value in values],
        }
        for name, label, hint, values in questions
    ]


PROFILE_INTRO = _l(
    "Optional. Our EU funder (the Just Transition Fund) asks how many companies and people of "
    "each kind we serve. These answers are only ever reported as totals of at least five."
)
