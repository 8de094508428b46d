"""Which regional addenda apply where a visitor *is* (core.location says where that is).

The country → addenda map is read from the jurisdictions once per cache generation, so
nothing here queries the database on a warm request.
"""

from dataclasses import dataclass

from core.cache import cached
from core.location import Location

from .models import Jurisdiction


@dataclass(frozen=True)
class JurisdictionMap:
    all_codes: tuple[str, ...]
    by_country: dict[str, tuple[str, ...]]
    by_subdivision: dict[str, tuple[str, ...]]
    # countries in which some jurisdiction covers only some subdivisions (US → us-ca)
    partial_countries: dict[str, tuple[str, ...]]

    def codes_for(self, country: str, subdivision: str | None) -> tuple[str, ...]:
        codes = list(self.by_country.get(country, ()))
        if subdivision:
            codes += self.by_subdivision.get(subdivision, ())
        else:
            # Without a subdivision we cannot rule out the ones in this country.
            codes += self.partial_countries.get(country, ())
        return tuple(code for code in self.all_codes if code in codes)


def jurisdiction_map() -> JurisdictionMap:
    return cached(("geo-map",), _build_map)


def jurisdictions_at(location: Location) -> tuple[str, ...]:
    """Codes of the addenda whose law applies at a location; every one when it is unknown,
    so that the strictest rules apply."""
    mapping = jurisdiction_map()
    if location.country is None:
        return mapping.all_codes
    return mapping.codes_for(location.country, location.subdivision)


def _build_map() -> JurisdictionMap:
    by_country: dict[str, list[str]] = {}
    by_subdivision: dict[str, list[str]] = {}
    partial: dict[str, list[str]] = {}
    codes = []
    for jurisdiction in Jurisdiction.objects.all():
        codes.append(jurisdiction.code)
        for country in jurisdiction.country_codes:
            by_country.setdefault(country, []).append(jurisdiction.code)
        for subdivision in jurisdiction.subdivision_codes:
            by_subdivision.setdefault(subdivision, []).append(jurisdiction.code)
            partial.setdefault(subdivision.split("-", 1)[0], []).append(jurisdiction.code)
    freeze = lambda d: {k: tuple(v) for k, v in d.items()}  # noqa: E731
    return JurisdictionMap(tuple(codes), freeze(by_country), freeze(by_subdivision), freeze(partial))
