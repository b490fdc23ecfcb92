"""Programmes: events grouped by an organiser, with one report over all of them."""
