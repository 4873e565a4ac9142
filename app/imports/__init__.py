"""CSV imports of the register, activities, ledgers and plans (columns in README.md, "Importing data")."""

from app.imports.result import ImportRejected, ImportResult
from app.imports.service import KINDS, import_file, import_rows

__all__ = ["KINDS", "ImportRejected", "ImportResult", "import_file", "import_rows"]
