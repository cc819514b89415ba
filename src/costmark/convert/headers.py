"""Header names of providers' native exports, made comparable across their spellings.

The same column reaches users under many names: AWS's legacy CUR says ``lineItem/UnblendedCost``
where CUR 2.0 says ``line_item_unblended_cost``; Azure writes ``CostInBillingCurrency``,
``costInBillingCurrency`` or ``costinbillingcurrency`` depending on the export's generation, and
a German portal export says ``Abonnement-GUID (SubscriptionGuid)``. Mappings are written once
against a normalised key, so every spelling of one export finds the same rules.
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


#: longer than any native export's column name (AWS's longest is under 80 characters)
MAX_NAME = 200


def clean(name: str) -> str:
    """The header as written, without a byte-order mark or surrounding spaces."""
    return name.lstrip("\ufeff").strip()


def english(name: str) -> str:
    """A localized Azure header ``Ressourcengruppe (ResourceGroup)`` -> ``ResourceGroup``."""
    text = clean(name)
    # string search, not a regular expression with ".*": a hostile 128 KB header full of "("
    # made the pattern backtrack for minutes
    if text.endswith(")") and "(" in text:
        inner = text[text.rfind("(") + 1 : -1].strip()
        if _IDENTIFIER.fullmatch(inner):
            return inner
    return text


def snake(name: str) -> str:
    """``lineItem/UnblendedCost`` and ``line_item_unblended_cost`` -> ``line_item_unblended_cost``;
    ``savingsPlan/SavingsPlanARN`` -> ``savings_plan_savings_plan_arn``; ``service.description``
    -> ``service_description``. Names longer than any provider's column (MAX_NAME) are only
    lower-cased: the acronym pattern is quadratic on a long run of capitals."""
    if len(name) > MAX_NAME:
        return name.lower()
    text = _ACRONYM.sub(r"\1_\2", english(name))
    text = _CAMEL.sub(r"\1_\2", text)
    return _SEPARATORS.sub("_", text).strip("_").lower()


def squash(name: str) -> str:
    """Case- and separator-blind key (Azure's generations differ only in case):
    ``CostInBillingCurrency`` / ``costinbillingcurrency`` -> ``costinbillingcurrency``."""
    return _SEPARATORS.sub("", english(name)).lower()


NORMALISERS = {"snake": snake, "squash": squash}
