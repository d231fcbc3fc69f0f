"""Courses from national open data, written as a knowledge file."""
