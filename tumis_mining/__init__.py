"""tumis-mining: document mining over Indonesian policy texts.

Stages (each usable on its own, none needs Prefect): ``extract`` -> ``segment`` -> ``classify``
-> ``topics`` -> ``index``. For one file: ``tumis_mining.pipeline.parse_file(path)``.
"""

__version__ = "0.1.0"
