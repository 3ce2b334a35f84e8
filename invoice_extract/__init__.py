"""invoice-extract: invoices and receipts to structured records, fully offline.

    from invoice_extract import extract
    record = extract("bill.pdf")
    print(record.total.value if record.total else "no total", record.status)
"""

from .document import Document, Page, Word
from .documents import LoadOptions, load_document
from .errors import InvoiceExtractError
from .pipeline import extract, extract_many
from .record import ExtractedField, InvoiceRecord

__version__ = "0.1.0"

__all__ = [
    "Document", "ExtractedField", "InvoiceExtractError", "InvoiceRecord", "LoadOptions", "Page", "Word",
    "extract", "extract_many", "load_document", "__version__",
]
