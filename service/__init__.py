"""The use cases: what the API, the web page, the CLI and the evaluation harness call.

``queries`` (search, ask, similar, documents, index status) reads a loaded searcher;
``indexing`` builds and publishes an index from a corpus; ``admin`` adds and deletes documents.
This is the one layer that composes ingest with search: nothing above it imports ``ingest``.
"""
