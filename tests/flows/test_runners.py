"""The task runner a config asks for: Dask workers (at a scheduler's address, or a local cluster)
and a process pool build the same corpus as the default threads, and the work really runs on
the workers while the flow's one writer indexes it."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from flowkit import ROOT, corpus_state, small_folder, write_config

from flows.refresh import run_refresh

# Two regulations (PDF), a decree (PDF) and two news pages (HTML) of the bundled sample.
DOCUMENTS = (
    "regulations/inbup-sragen-3-2022_gotong-royong-rtlh.pdf",
    "regulations/perdes-jabung-4-2022_pelaksanaan-desa-tumis.pdf",
    "regulations/kepbup-sragen-400.9-123-2023_tim-koordinasi-desa-tumis.pdf",
    "news/2022-04-12_rakor-desa-tumis-pendapa.html",
    "news/2022-11-08_baznas-modal-usaha-desa-tumis.html",
)


@dataclass
class Corpus:
    where: Path
    sources: str  # the [classifier] and [[sources]] tables every config here shares
    reference: dict  # what the default runner (threads) builds

    def config(self, name: str, runner: str) -> Path:
        folder = self.where / name
        folder.mkdir()
        return write_config(folder, self.sources, runner=runner)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    """One folder of documents, one copy of the classifier, and the corpus threads build of them.

    Document ids hash the absolute path of their file, so every config reads the same folder.
    """
    where = tmp_path_factory.mktemp("runners")
    folder = small_folder(where, DOCUMENTS)
    model = where / "classifier"
    shutil.copytree(ROOT / "models" / "classifier", model)
    sources = (f'[classifier]\nmodel = "{model}"\n\n'
               f'[[sources]]\nname = "local"\nkind = "folder"\npath = "{folder}"\n')
    threads = Corpus(where, sources, {}).config("threads", 'kind = "threads"\nworkers = 2')
    assert len(DOCUMENTS) == run_refresh(threads).sources["local"].new
    return Corpus(where, sources, corpus_state(threads.parent / "corpus.db"))


def _prefect_servers_started_here() -> int:
    """How many Prefect servers this process has started (run on each Dask worker)."""
    import psutil

    return sum("server" in " ".join(child.cmdline()) and "prefect" in " ".join(child.cmdline())
               for child in psutil.Process().children(recursive=True))


@pytest.mark.slow
def test_dask_workers_at_a_scheduler_address_build_the_corpus_threads_build(corpus):
    from distributed import Client, LocalCluster, get_task_stream

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    try:
        config = corpus.config("dask", f'kind = "dask"\naddress = "{cluster.scheduler_address}"')
        with Client(cluster.scheduler_address) as client:
            with get_task_stream(client=client) as stream:
                counts = run_refresh(config)
            workers = set(client.scheduler_info()["workers"])
            servers = client.run(_prefect_servers_started_here)
    finally:
        cluster.close()
    assert len(DOCUMENTS) == counts.sources["local"].new
    assert corpus.reference == corpus_state(config.parent / "corpus.db")
    processed = Counter(task["worker"] for task in stream.data
                        if str(task["key"]).startswith("process_document-"))
    assert len(DOCUMENTS) == sum(processed.values())
    assert set(processed) <= workers
    # The workers report to the flow's Prefect API instead of each starting a temporary server.
    assert {worker: 0 for worker in workers} == servers


@pytest.mark.slow
def test_a_process_pool_builds_the_corpus_threads_build(corpus):
    config = corpus.config("processes", 'kind = "processes"\nworkers = 2')
    counts = run_refresh(config)
    assert len(DOCUMENTS) == counts.sources["local"].new
    assert corpus.reference == corpus_state(config.parent / "corpus.db")


@pytest.mark.slow
def test_a_local_dask_cluster_builds_the_corpus_threads_build(corpus):
    config = corpus.config("dask-local", 'kind = "dask"\ncluster = "local"\nworkers = 2')
    counts = run_refresh(config)
    assert len(DOCUMENTS) == counts.sources["local"].new
    assert corpus.reference == corpus_state(config.parent / "corpus.db")
