"""The web layer: the app factory, the chat API, pages, /chat, admin, errors, assets.

It uses the domain packages (`knowledge/`, `matcher/`, `text/`, `records/`); they never
import it for what they do.
"""
