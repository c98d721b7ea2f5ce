"""The English plural, undone: `croissants` names the product `croissant`, `3 boxes` the
unit `box`. One rule for product names and units alike; simple suffixes only, since a
name the rule misses still gets "did you mean" choices.

Russian is not undone here. A Russian name changes with its case as well as its number
(круассан, 3 круассана, 5 круассанов, нет булочек), which suffix rules get wrong as often
as right and a morphological dictionary (pymorphy3) would fix at the cost of a heavy
dependency; and every form tried is one more lookup. The did-you-mean choices already
catch the usual endings (круассана ~ круассан scores 94, булочек ~ булочка 86, against a
cut-off of 70). Russian unit words, a closed set, are listed in their three forms after a
number in core.units."""

from __future__ import annotations

# Longest suffix first: `berries` → `berry` before `es` or `s` are tried.
SUFFIXES = (
    ("ies", ("y",)),  # berries → berry
    ("ves", ("f", "fe")),  # loaves → loaf, knives → knife
    ("oes", ("o",)),  # tomatoes → tomato
    ("ches", ("ch",)),
    ("shes", ("sh",)),
    ("sses", ("ss",)),
    ("xes", ("x",)),  # boxes → box
    ("zes", ("z",)),
    ("s", ("",)),  # croissants → croissant
)


def singulars(words: str) -> list[str]:
    """The singular forms the last word of `words` may have, most likely first; none when
    it does not look plural (`glass`, `bus` and one-letter words are left alone)."""
    head, _, last = words.rpartition(" ")
    if len(last) < 3 or last.endswith(("ss", "us", "is")):
        return []
    prefix = f"{head} " if head else ""
    for suffix, endings in SUFFIXES:
        if last.endswith(suffix):
            stem = last[: -len(suffix)]
            forms = [f"{prefix}{stem}{ending}" for ending in endings]
            if suffix != "s":  # `cakes`, `sauces`: the `e` may belong to the word
                forms.append(f"{prefix}{last[:-1]}")
            return forms
    return []
