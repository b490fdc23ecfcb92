"""JSON shapes of check-in answers (API v1 and the scanner page)."""

from ..api.serializers import iso
from ..models import ScanResult
from .services import Answer, DoorCard


def door_card_json(card: DoorCard) -> dict:
    """The door shape of a registration (registration_door_json: no contact details),
    plus the country, which the result card shows beside the category. Built from the
    check-in's own row rather than an ORM object, which keeps the hot path cheap;
    tests/test_checkin.py holds the two shapes equal."""
    return {
        "id": card.id, "name": card.name, "name_kana": card.name_kana,
        "organisation": card.organisation, "category": card.category, "status": card.status,
        "checked_in_at": iso(card.checked_in_at, card.timezone), "country": card.country,
    }


def answer_json(answer: Answer) -> dict:
    card = answer.registration
    body = {
        "result": str(answer.result),
        "registration": door_card_json(card) if card is not None else None,
        "checked_in_at": iso(answer.checked_in_at, card.timezone if card else "UTC"),
        "checked_in_by": answer.checked_in_by,
    }
    if answer.result == ScanResult.NOT_ADMITTED:
        body["reason"] = answer.reason
    elif answer.result == ScanResult.WRONG_EVENT and card is not None:
        body["message"] = f"This ticket is for another event: {card.event_title}."
    return body
