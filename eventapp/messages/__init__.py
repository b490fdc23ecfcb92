"""Messages to a group of attendees: written by organisers or sent automatically."""
