"""navguide: a guidance chatbot for adult learners in Jämtland Härjedalen."""

__version__ = "0.1.0"
