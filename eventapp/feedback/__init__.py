"""Feedback after an event: the requests (by e-mail, once per person), the attendee's
form under their private link, the follow-up months later, and the figures."""
