"""Welsh mutations folded on both sides, in every field: any form of a noun finds every form of it."""

import pytest

from search_index import rebuild, search
from tests.search_index.small_corpus import CORPUS, notice

# Welsh nouns in their radical, soft, nasal and aspirate forms (as written in notices and as typed).
FAMILIES = {
    "Caerdydd": ("Caerdydd", "Gaerdydd", "Nghaerdydd", "Chaerdydd"),
    "Cyngor": ("Cyngor", "Gyngor", "Nghyngor", "Chyngor"),
    "Pen-y-bont": ("Pen-y-bont", "Ben-y-bont", "Mhen-y-bont", "Phen-y-bont"),
    "tref": ("tref", "dref", "nhref", "thref"),
    "Powys": ("Powys", "Bowys", "Mhowys", "Phowys"),
    "Gwynedd": ("Gwynedd", "Wynedd", "Ngwynedd"),
    "Llandudno": ("Llandudno", "Landudno"),
    "Mynwy": ("Mynwy", "Fynwy"),
    "Bangor": ("Bangor", "Fangor", "Mangor"),
    "Dinbych": ("Dinbych", "Ddinbych", "Ninbych", "Nhinbych"),
    "Tywyn": ("Tywyn", "Dywyn", "Nhywyn", "Thywyn"),
}


def _placed(n: int, doc_id: str, form: str) -> dict:
    """Return a notice with a form of a noun in one of five places, chosen by n."""
    welsh = {"sources": ["s2w"], "in_wales": True}
    return [
        notice(doc_id, f"Street lighting {form}"),  # the English title of an English register's notice
        notice(doc_id, "Road gritting", buyer_name=f"Awdurdod {form}"),  # the buyer
        notice(doc_id, "Goleuadau stryd", title_cy=f"Goleuadau stryd {form}", **welsh),
        notice(doc_id, "Goleuadau stryd", description_cy=f"Goleuo strydoedd yn {form} a'r cyffiniau.", **welsh),
        notice(doc_id, "Street lighting", description=f"Lighting the streets of {form}.", **welsh),
    ][n % 5]


DOCS = {}
for f, (radical, forms) in enumerate(FAMILIES.items()):
    for n, form in enumerate(forms):
        DOCS[f"ocds-m-{f:02d}{n}"] = (radical, form, _placed(f + n, f"ocds-m-{f:02d}{n}", form))
MORE = [
    notice("ocds-mx-91", "Street lighting Gaerdydd"),
    notice("ocds-mx-92", "Street lighting Caerdydd"),
    notice("ocds-mx-93", "Cyngor Gwynedd street lighting", buyer_name="Cyngor Gwynedd"),
]


@pytest.fixture(scope="module")
def mutated_index(tmp_path_factory):
    path = tmp_path_factory.mktemp("mutations")
    rebuild(path, [*CORPUS, *(doc for _, _, doc in DOCS.values()), *MORE], procs=1)
    return path


def ids(index, text):
    return {hit.id for hit in search(index, text, per_page=100).hits}


@pytest.mark.parametrize("radical, form", [(radical, form) for radical, forms in FAMILIES.items() for form in forms])
def test_every_form_finds_every_form_wherever_it_is_written(mutated_index, radical, form):
    family = {doc_id for doc_id, (of, _, _) in DOCS.items() if of == radical}
    found = ids(mutated_index, form)
    assert family <= found, f"{form} misses {sorted(family - found)}"
    assert ids(mutated_index, radical) <= found  # everything the radical finds, the mutated form finds


def test_a_mutated_phrase_lines_up(mutated_index):
    assert "ocds-mx-92" in ids(mutated_index, '"lighting Gaerdydd"')  # written "Street lighting Caerdydd"
    assert "ocds-mx-92" not in ids(mutated_index, '"Gaerdydd lighting"')
    assert "ocds-m-002" in ids(mutated_index, '"Goleuadau stryd Caerdydd"')  # written "… Nghaerdydd"
    assert "ocds-mx-93" in ids(mutated_index, '"Nghyngor Wynedd"')


def test_the_word_as_written_ranks_above_its_other_forms(mutated_index):
    order = [hit.id for hit in search(mutated_index, "Gaerdydd", per_page=100).hits]
    assert order.index("ocds-mx-91") < order.index("ocds-mx-92")
    order = [hit.id for hit in search(mutated_index, "Caerdydd", per_page=100).hits]
    assert order.index("ocds-mx-92") < order.index("ocds-mx-91")


def test_a_mutated_word_is_marked_where_it_matched(mutated_index):
    hit = next(h for h in search(mutated_index, "Gyngor").hits if h.id == "ocds-mx-93")
    assert hit.highlights["title"] == "<mark>Cyngor</mark> Gwynedd street lighting"
    assert {"title", "buyer"} <= set(hit.matched_fields)
