"""The lists a landlord starts with: each field's values in display order, with their synonyms."""

from __future__ import annotations

# Fields whose values live in the vocabulary tables; "area" uses the areas table instead.
LIST_FIELDS = ("tenure", "age_band", "gender", "ethnicity", "disability", "language")
FIELDS = (*LIST_FIELDS, "area")
LABELS = {
    "tenure": "Tenure",
    "age_band": "Age band",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "language": "Preferred language",
    "area": "Area",
}
# The longest value each customer column holds.
VALUE_LIMITS = {"tenure": 40, "age_band": 20, "gender": 40, "ethnicity": 80, "disability": 40, "language": 40}
PREFER_NOT = "Prefer not to say"

DEFAULTS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "tenure": [
        ("General needs", ("General needs rent", "Social rent", "Social rented")),
        ("Affordable rent", ()),
        ("Supported housing", ("Supported",)),
        ("Shared ownership", ("Shared owner",)),
        ("Leaseholder", ("Leasehold",)),
    ],
    "age_band": [
        ("16-24", ("16 to 24",)),
        ("25-34", ("25 to 34",)),
        ("35-44", ("35 to 44",)),
        ("45-54", ("45 to 54",)),
        ("55-64", ("55 to 64",)),
        ("65-74", ("65 to 74",)),
        ("75+", ("75 and over", "75 or over", "Over 75")),
        (PREFER_NOT, ()),
    ],
    "gender": [
        ("Female", ("F", "Woman")),
        ("Male", ("M", "Man")),
        ("Non-binary", ()),
        (PREFER_NOT, ()),
    ],
    # The Office for National Statistics' 2021 census high-level categories for England and Wales.
    "ethnicity": [
        ("Asian or Asian British", ("Asian", "Asian British")),
        (
            "Black, Black British, Caribbean or African",
            ("Black", "Black British", "Black or Black British", "Caribbean", "African"),
        ),
        ("Mixed or multiple ethnic groups", ("Mixed", "Mixed or multiple", "Multiple ethnic groups")),
        ("White", ("White British", "White other", "White Irish", "Any other White background")),
        ("Other ethnic group", ("Other", "Any other ethnic group")),
        (PREFER_NOT, ()),
    ],
    "disability": [
        ("Yes", ("Y", "Disabled")),
        ("No", ("N", "Not disabled")),
        (PREFER_NOT, ()),
    ],
    "language": [
        ("English", ()),
        ("Polish", ()),
        ("Urdu", ()),
        ("Punjabi", ()),
        ("Bengali", ("Bangla",)),
        ("Gujarati", ()),
        ("Arabic", ()),
        ("Romanian", ()),
        ("Portuguese", ()),
        ("Somali", ()),
        ("Welsh", ("Cymraeg",)),
        ("British Sign Language", ("BSL",)),
        ("Other language", ("Other",)),
    ],
}
