"""Choosing the reply to a learner's message from the knowledge."""

from .matcher import Matcher
from .reply import Reply

__all__ = ["Matcher", "Reply"]
