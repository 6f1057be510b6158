"""Optional profile classes for the funder's EU indicators, and what each one means.

All four are optional: an empty answer is stored as NULL and counted as "not given". They
describe the person's company (size class, founded under three years ago) and the person
(gender, age band) only in the coarse classes the indicators need.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import InvalidInput

# EU enterprise size classes (Commission Recommendation 2003/361/EC), by head count.
SIZE_CLASSES = ("micro", "small", "medium", "large")
GENDERS = ("woman", "man", "non_binary", "not_said")
AGE_BANDS = ("under_30", "30_54", "55_plus")
COMPANY_NEW = ("yes", "no")  # founded under three years ago


@dataclass(frozen=True)
class Profile:
    """The optional classes as given; None where not given."""

    size_class: str | None = None
    company_new: bool | None = None
    gender: str | None = None
    age_band: str | None = None

    def as_row(self) -> dict[str, object]:
        """The database columns."""
        return {
            "size_class": self.size_class,
            "company_new": None if self.company_new is None else int(self.company_new),
            "gender": self.gender,
            "age_band": self.age_band,
        }


def _choice(value: str | None, allowed: tuple[str, ...], field: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if value not in allowed:
        raise InvalidInput(f"{field} must be one of {', '.join(allowed)}", field)
    return value


def parse_profile(
    size_class: str | None = None,
    company_new: str | None = None,
    gender: str | None = None,
    age_band: str | None = None,
) -> Profile:
    """Check form answers (empty means not given); raise :class:`InvalidInput` naming the field."""
    new = _choice(company_new, COMPANY_NEW, "company_new")
    return Profile(
        size_class=_choice(size_class, SIZE_CLASSES, "size_class"),
        company_new=None if new is None else new == "yes",
        gender=_choice(gender, GENDERS, "gender"),
        age_band=_choice(age_band, AGE_BANDS, "age_band"),
    )
