"""
The JSONL import and export format (a contract: see DESIGN.md, "Import and export"):
`format` reads and writes one line, `writer` imports a whole file.
"""

from .format import export_lines
from .writer import ImportFailed, ImportResult, JsonlFile, import_lines

__all__ = ["ImportFailed", "ImportResult", "JsonlFile", "export_lines", "import_lines"]
