"""The agency registry: resolve what people type ("Sở TT&TT", "so noi vu", a code) to an agency."""

from __future__ import annotations

from services.domain.model import Agency, fold


class AgencyIndex:
    def __init__(self, agencies):
        self.agencies = {a.code: a for a in agencies}
        self._by_key: dict[str, str] = {}
        # names win over aliases, aliases over codes, and the first agency over later ones
        for keys in (lambda a: [a.name], lambda a: a.aliases, lambda a: [a.code]):
            for a in agencies:
                for key in keys(a):
                    if key:
                        self._by_key.setdefault(fold(key), a.code)

    def resolve(self, text: str) -> str | None:
        """The code of the agency this text names, or None."""
        return self._by_key.get(fold(text)) if text else None

    def name(self, code: str) -> str:
        agency = self.agencies.get(code)
        return agency.name if agency else code

    def current(self, code: str) -> str:
        """Follow successor links (merged agencies) to the agency that carries on today."""
        seen = set()
        while code in self.agencies and self.agencies[code].successor and code not in seen:
            seen.add(code)
            code = self.agencies[code].successor
        return code

    def members(self, group: str) -> list[Agency]:
        return [a for a in self.agencies.values() if fold(a.group) == fold(group)]
