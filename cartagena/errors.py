"""Domain errors, raised inside and translated once at the edge (HTTP status or CLI message)."""


class CartagenaError(Exception):
    """Base class: anything the user can act on."""


class IndexNotFoundError(CartagenaError):
    """No published index at the given path."""


class IndexIncompatibleError(CartagenaError):
    """The index was built with another model or format than the one configured."""


class DocumentParseError(CartagenaError):
    """One input file could not be turned into text; the file is skipped, the rest goes on."""


class UnknownDocumentError(CartagenaError):
    """A document id that the index does not hold."""


class UnknownPassageError(CartagenaError):
    """A passage id that the index does not hold."""


class InvalidQueryError(CartagenaError):
    """A query that cannot be run, e.g. an empty phrase."""


class EmptyCorpusError(CartagenaError):
    """Nothing could be indexed."""


class UnsupportedMediaError(CartagenaError):
    """An upload whose content is not a PDF, Markdown or plain text."""


class UploadTooLargeError(CartagenaError):
    """An upload over the configured size limit."""


class InvalidUploadError(CartagenaError):
    """An upload that cannot be stored as asked (bad name or metadata)."""
