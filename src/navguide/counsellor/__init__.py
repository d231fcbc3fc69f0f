"""Counsellor tools: the report of what learners asked, and knowledge tests."""
