"""Presentation: Jinja templates, keyboards and callback data. No models, no SQLAlchemy."""
