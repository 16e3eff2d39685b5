"""Data shipped with the package and the names of the entry sources (no I/O, no heavy imports).

``mp_e_form_2019.csv.gz`` is the Materials Project formation-energy snapshot behind the default source
``mp2019``: ``formula,target`` for 132,752 structures, target = formation energy per atom [eV/atom]
with MP's legacy corrections, retrieved in 2019 for the matbench v0.1 ``mp_e_form`` task. Materials
Project data is licensed CC BY 4.0: cite Jain et al., APL Mater. 1, 011002 (2013) and Dunn et al.,
npj Comput. Mater. 6, 138 (2020). :data:`MP2019_PROVENANCE` carries both into every provenance record.
"""

from __future__ import annotations

from pathlib import Path

#: Named entry sources (anything else given as a source is a snapshot path).
NAMED_SOURCES = ("mp2019", "experimental", "mp")
#: The source used when none is given (CLI ``--source``, config ``source:``).
DEFAULT_SOURCE = "mp2019"
#: The Materials Project snapshot shipped inside the package (source ``mp2019``).
MP2019_FILE = Path(__file__).resolve().parent / "mp_e_form_2019.csv.gz"
#: The file as named in provenance records (relative to the package, never this machine's path).
MP2019_LABEL = "screening/data/mp_e_form_2019.csv.gz"
#: What the ``mp2019`` data is, its licence and the papers to cite; copied into every provenance record.
MP2019_PROVENANCE = {
    "data": (
        "Materials Project formation energies per atom [eV/atom] (legacy MP corrections) of 132,752 structures, "
        "as retrieved in 2019 for the matbench v0.1 task mp_e_form"
    ),
    "license": "CC BY 4.0 (Materials Project data)",
    "citation": [
        "A. Jain et al., The Materials Project: A materials genome approach to accelerating materials innovation, "
        "APL Mater. 1, 011002 (2013), doi:10.1063/1.4812323",
        "A. Dunn, Q. Wang, A. Ganose, D. Dopp, A. Jain, Benchmarking materials property prediction methods: the "
        "Matbench test set and Automatminer reference algorithm, npj Comput. Mater. 6, 138 (2020), "
        "doi:10.1038/s41524-020-00406-3",
    ],
}

__all__ = ["DEFAULT_SOURCE", "MP2019_FILE", "MP2019_LABEL", "MP2019_PROVENANCE", "NAMED_SOURCES"]
