"""Text services shared by ingest, search and evals: tokens and stemming for BM25, sentence
spans, language detection. They live apart from ``ingest/`` so that searching a query never
imports the ingest job."""
