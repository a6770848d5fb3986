"""The index on disk, with one owner: its layout and versions (``layout``), its schema, format
version and manifest (``schema``), the writer ingest calls (``writer``) and the typed reader
search opens (``reader``), the vector stores behind both (``vector_store``, ``vectors``,
``milvus_store``) and the embedding cache (``embedding_cache``). Nothing outside this package
opens the SQLite files or reads bm25s' internals."""
