"""Involve core: factory, settings, people and involvement models, staff logins, the base UI."""
