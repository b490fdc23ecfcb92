"""The organiser's own registration questions: the editor, validating and storing the
attendees' answers, the answer filter, summaries, exports and import columns."""
