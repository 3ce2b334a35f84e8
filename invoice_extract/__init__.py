"""invoice-extract: invoices and receipts to structured records, fully offline."""

from .document import Document, Page, Word
from .documents import LoadOptions, load_document
from .errors import InvoiceExtractError

__version__ = "0.1.0"

__all__ = ["Document", "InvoiceExtractError", "LoadOptions", "Page", "Word", "load_document", "__version__"]
