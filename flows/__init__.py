"""Prefect flows over tumis-mining: thin wrappers that call the library.

- ``refresh_corpus`` (:mod:`flows.refresh`): every configured source -> fetch -> extract ->
  segment -> classify -> index -> assign topics; incremental, with withdrawals.
- ``ingest_paths`` (:mod:`flows.ingest`): files, folders or URLs on demand.
- ``train_classifier`` (:mod:`flows.train`) and ``fit_topics`` (:mod:`flows.topics`).
- :mod:`flows.schedule` serves ``refresh_corpus`` as a deployment on a cron schedule.

Importing this package does not import Prefect; the modules above do.
"""
