"""The shared data model. Imports no feature code.

One module per part of the domain; this package is where the rest of the app imports
them from (`from ..models import Registration, Status`).
"""

from .codes import hash_token, new_checkin_code, new_secret_token, normalise_code
from .counters import RateLimitCounter
from .events import AgendaItem, Category, Event, EventSlug, TechnologyArea
from .feedback import (
    FeedbackQuestion,
    FeedbackQuestionKind,
    FeedbackRequest,
    FeedbackResponse,
    FeedbackSettings,
    FeedbackStage,
    FollowUpResponse,
    FollowUpResult,
    Programme,
    QuoteAttribution,
)
from .messages import AUTOMATIC_KINDS, Message, MessageKind, MessageStatus
from .networking import Meeting, MeetingOutcome, MeetingRequest
from .outbox import OutboundEmail
from .questions import Answer, Question, QuestionOption, QuestionType
from .registrations import Registration, ScanLog
from .staff import ApiToken, StaffSession, StaffUser
from .states import (
    ACTIVE_STATUSES,
    CATEGORY_FIELDS,
    UNCONFIRMED,
    EmailStatus,
    NetworkingSide,
    RequestStatus,
    Role,
    ScanResult,
    Status,
)

__all__ = [
    "ACTIVE_STATUSES", "AgendaItem", "Answer", "ApiToken", "AUTOMATIC_KINDS", "Category",
    "CATEGORY_FIELDS", "EmailStatus", "Event", "EventSlug", "FeedbackQuestion",
    "FeedbackQuestionKind", "FeedbackRequest", "FeedbackResponse", "FeedbackSettings",
    "FeedbackStage", "FollowUpResponse", "FollowUpResult", "hash_token", "max_length",
    "Meeting", "MeetingOutcome", "MeetingRequest", "Message", "MessageKind",
    "MessageStatus", "NetworkingSide", "new_checkin_code", "new_secret_token",
    "normalise_code", "OutboundEmail", "Programme", "Question", "QuestionOption",
    "QuestionType", "QuoteAttribution", "RateLimitCounter", "Registration", "RequestStatus",
    "Role", "ScanLog", "ScanResult", "StaffSession", "StaffUser", "Status",
    "TechnologyArea", "UNCONFIRMED",
]


def max_length(attribute) -> int:
    """A text field's length limit, declared once by its column (`String(200)`): forms,
    services and API schemas read it here, e.g. `max_length(Registration.name)`."""
    return attribute.expression.type.length
