"""The English plural, undone: `croissants` names the product `croissant`, `3 boxes` the
unit `box`. One rule for product names and units alike; simple suffixes only, since a
name the rule misses still gets "did you mean" choices.

Russian is matched rather than undone. A Russian name changes with its case as well as
its number (круассан, 3 круассана, 5 круассанов, продал булочку), so a typed form is
compared with the shop's names by stem (`same_russian_word`): only when no name matches
exactly, against the products already read for the "did you mean" choices (no lookup
more), and only when one product alone has that stem. What the endings miss (яйцо,
яиц) still gets the choices. Russian unit words, a closed set, are listed in their
three forms after a number in core.units."""

from __future__ import annotations

import re

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


# Russian case and number endings of nouns and adjectives, longest first: what is cut
# off before two words are compared (булочку, булочки → булочк; пирожных → пирожн).
RUSSIAN_ENDINGS = tuple(
    sorted(
        {
            *("ого", "его", "ому", "ему", "ыми", "ими", "ами", "ями"),
            *("ая", "яя", "ое", "ее", "ые", "ие", "ый", "ий", "ой", "ую", "юю", "ых", "их"),
            *("ым", "им", "ей", "ов", "ев", "ёв", "ом", "ем", "ём", "ам", "ям", "ах", "ях"),
            *("а", "я", "ы", "и", "у", "ю", "е", "о", "ь", "й"),
        },
        key=len,
        reverse=True,
    )
)
CYRILLIC = re.compile(r"[а-яё]+")
# A vowel that comes and goes before the last к or ц: пирожок / пирожка, булочек /
# булочка, огурец / огурца.
FLEETING_VOWEL = re.compile(r"[оеё](?=[кц]$)")
MIN_STEM = 2


def _russian_stem(word: str) -> str | None:
    if not CYRILLIC.fullmatch(word):
        return None
    for ending in RUSSIAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            word = word[: -len(ending)]
            break
    word = FLEETING_VOWEL.sub("", word.rstrip("ьй"))
    return word if len(word) >= MIN_STEM else None


def same_russian_word(typed: str, name: str) -> bool:
    """Whether `typed` (a name key) is a form of `name` (another), word by word: `3
    круассана` of круассан, `булочку` of булочка, `белого хлеба` of белый хлеб. Words that
    are not Russian must be the same."""
    typed_words, name_words = typed.split(" "), name.split(" ")
    if typed == name or len(typed_words) != len(name_words):
        return False
    for one, other in zip(typed_words, name_words, strict=True):
        if one == other:
            continue
        stem = _russian_stem(one)
        if stem is None or stem != _russian_stem(other):
            return False
    return True
