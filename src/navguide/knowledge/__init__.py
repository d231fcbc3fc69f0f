"""The knowledge folder: its format, loading and checking."""

from .loader import KnowledgeDirError, load_knowledge
from .model import Centre, Course, Knowledge, Link, Municipality, Topic
from .problems import Problem, errors, unverified

__all__ = [
    "Centre", "Course", "Knowledge", "KnowledgeDirError", "Link", "Municipality",
    "Problem", "Topic", "errors", "load_knowledge", "unverified",
]
