"""Supervisor approval of findings and recommendations before anything is written to Plex."""
