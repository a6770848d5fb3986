"""Names of countries and regions, folded word by word: what a question asking for a *city*
("In which city was the Declaration adopted?") is not answered by. "countries in Latin America
and the Caribbean" names places, but no city.

The list holds the countries and territories of the Americas (the Cartagena Process's region)
and the others the documents of this domain name as donors, hosts or cooperating countries; a
missing country only makes a city question a little easier to answer, never refuses one.
"""

from __future__ import annotations

from text.tokens import words

_COUNTRIES = """
Anguilla; Antigua and Barbuda; Argentina; Aruba; Bahamas; Barbados; Belize; Bermuda; Bolivia;
Brazil; Canada; Cayman Islands; Chile; Colombia; Costa Rica; Cuba; Curacao; Dominica;
Dominican Republic; Ecuador; El Salvador; Grenada; Guatemala; Guyana; Haiti; Honduras;
Jamaica; Mexico; Montserrat; Nicaragua; Panama; Paraguay; Peru; Puerto Rico;
Saint Kitts and Nevis; Saint Lucia; Saint Vincent and the Grenadines; Suriname;
Trinidad and Tobago; Turks and Caicos; United States; Uruguay; Venezuela;
Australia; Austria; Belgium; China; Denmark; Finland; France; Germany; Ireland; Italy; Japan;
Korea; Luxembourg; Netherlands; New Zealand; Norway; Portugal; Spain; Sweden; Switzerland;
Turkey; United Kingdom; European Union
"""
_REGIONS = """
America; Americas; Latin America; Caribbean; Central America; South America; North America;
Mesoamerica; Andean; Amazon; Southern Cone; Europe; Africa; Asia; Oceania; Western Hemisphere
"""
# words of those names that are not names on their own ("Republic", "Saint") stay out, so
# that "Saint Petersburg" or "San Jose" are not taken for a country
_NOT_NAMES = frozenset(["and", "the", "of", "republic", "saint", "islands", "united", "new"])

COUNTRY_AND_REGION_WORDS = frozenset(
    w
    for name in (_COUNTRIES + ";" + _REGIONS).split(";")
    for w in words(name)
    if w not in _NOT_NAMES
)

# "Mexican" for Mexico, "Brazilian" for Brazil, "Asian" for Asia: the endings of the names of
# a country's people and things
_DEMONYM_ENDINGS = ("ian", "ean", "an", "ese", "ine", "ish", "i")
_PLACE_WORDS = sorted((w for w in COUNTRY_AND_REGION_WORDS if len(w) >= 4), key=len, reverse=True)


def demonym_place(word: str) -> str | None:
    """The place word (folded) that ``word`` names the people or things of, if any: a question
    about "Mexican companies" asks about the companies the documents list "From Mexico". The
    word must end as such names end and start with the place's name, less its last letter for
    names of five letters or more ("Mexic-an", "Chile-an", "Peru-vian")."""
    w = word.lower()
    if len(w) < 5 or w in COUNTRY_AND_REGION_WORDS or not w.endswith(_DEMONYM_ENDINGS):
        return None
    for place in _PLACE_WORDS:
        stem = place if len(place) < 5 else place[:-1]
        if w.startswith(stem) and len(w) - len(stem) <= 5:
            return place
    return None
