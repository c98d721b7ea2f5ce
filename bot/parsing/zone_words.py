"""Timezones by the names a Russian shop gives them: its city (`Москва`, `Екатеринбург`,
`Санкт-Петербург`) or Moscow time and its offset (`мск`, `МСК+2`), as Russia tells the
time. The tz database names its zones after one city each, in English, so `Moscow`
was found and `Москва` was not; the cities listed are the zones' own and the large
ones of each zone. Keys are as `zone_key` makes them."""

from __future__ import annotations

import re

# Each zone and the cities (and regions) people name it by.
RUSSIAN_CITIES: dict[str, tuple[str, ...]] = {
    "Europe/Kaliningrad": ("калининград",),
    "Europe/Moscow": (
        *("москва", "мск", "московское время", "санкт петербург", "петербург", "питер", "спб"),
        *("казань", "нижний новгород", "ростов на дону", "ростов", "краснодар", "сочи"),
        *("воронеж", "ярославль", "тула", "рязань", "тверь", "мурманск", "архангельск"),
        *("ставрополь", "махачкала", "грозный"),
    ),
    "Europe/Simferopol": ("крым", "симферополь", "севастополь"),  # the tz database's own
    "Europe/Volgograd": ("волгоград",),
    "Europe/Kirov": ("киров",),
    "Europe/Samara": ("самара", "ижевск", "тольятти"),
    "Europe/Saratov": ("саратов",),
    "Europe/Ulyanovsk": ("ульяновск",),
    "Europe/Astrakhan": ("астрахань",),
    "Asia/Yekaterinburg": (
        *("екатеринбург", "екб", "челябинск", "пермь", "уфа", "тюмень", "оренбург"),
        *("курган", "сургут", "ханты мансийск"),
    ),
    "Asia/Omsk": ("омск",),
    "Asia/Novosibirsk": ("новосибирск",),
    "Asia/Barnaul": ("барнаул", "алтай"),
    "Asia/Tomsk": ("томск",),
    "Asia/Novokuznetsk": ("новокузнецк", "кемерово"),
    "Asia/Krasnoyarsk": ("красноярск", "абакан", "норильск"),
    "Asia/Irkutsk": ("иркутск", "улан удэ", "братск"),
    "Asia/Chita": ("чита",),
    "Asia/Yakutsk": ("якутск", "благовещенск"),
    "Asia/Vladivostok": ("владивосток", "хабаровск", "комсомольск на амуре"),
    "Asia/Sakhalin": ("сахалин", "южно сахалинск"),
    "Asia/Magadan": ("магадан",),
    "Asia/Kamchatka": ("камчатка", "петропавловск камчатский"),
    "Asia/Anadyr": ("анадырь", "чукотка"),
    "Europe/Minsk": ("минск", "беларусь"),
    "Europe/Kyiv": ("киев", "київ"),
    "Europe/Chisinau": ("кишинёв", "кишинев"),
    "Europe/Riga": ("рига",),
    "Europe/Vilnius": ("вильнюс",),
    "Europe/Tallinn": ("таллин", "таллинн"),
    "Asia/Tbilisi": ("тбилиси",),
    "Asia/Yerevan": ("ереван",),
    "Asia/Baku": ("баку",),
    "Asia/Almaty": ("алматы", "алма ата", "астана"),
    "Asia/Tashkent": ("ташкент",),
    "Asia/Bishkek": ("бишкек",),
    "Asia/Dushanbe": ("душанбе",),
    "Asia/Ashgabat": ("ашхабад",),
}
# Moscow time and its offsets, as Russian timetables and people say it: `МСК+2` is
# Yekaterinburg's time.
MOSCOW_OFFSETS = {
    -1: "Europe/Kaliningrad",
    0: "Europe/Moscow",
    1: "Europe/Samara",
    2: "Asia/Yekaterinburg",
    3: "Asia/Omsk",
    4: "Asia/Krasnoyarsk",
    5: "Asia/Irkutsk",
    6: "Asia/Yakutsk",
    7: "Asia/Vladivostok",
    8: "Asia/Magadan",
    9: "Asia/Kamchatka",
}
MOSCOW_OFFSET = re.compile(r"мск\s*(?P<sign>[+−-])\s*(?P<hours>\d)(?:\s*ч(?:ас[аов]*)?)?")

BY_NAME = {
    city.replace("ё", "е"): zone for zone, cities in RUSSIAN_CITIES.items() for city in cities
}


def zone_key(text: str) -> str:
    """`Санкт-Петербург`, `санкт петербург` and `Санкт_Петербург` alike."""
    return " ".join(re.sub(r"[-_]", " ", text.casefold().replace("ё", "е")).split())


def russian_zone(text: str) -> str | None:
    """The timezone a Russian name or Moscow offset means, or None."""
    key = zone_key(text)
    if (zone := BY_NAME.get(key)) is not None:
        return zone
    if (offset := MOSCOW_OFFSET.fullmatch(text.strip().casefold())) is not None:
        hours = int(offset["hours"]) * (1 if offset["sign"] == "+" else -1)
        return MOSCOW_OFFSETS.get(hours)
    return None
