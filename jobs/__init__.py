"""Scheduled work: alert dispatch and the daily scan."""
