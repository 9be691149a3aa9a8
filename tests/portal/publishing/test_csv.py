"""CSV upload: a good file, every error by row and column with nothing saved, re-upload by reference, Windows-1252
and semicolon files, and hostile cells stored as text but neutralised in every CSV the portal writes."""

from __future__ import annotations

import csv
import io

from sqlmodel import select

from portal.db import session_scope
from portal.models.publishing import PlannedWork, PlannedWorkUpload
from portal.models.tables import Procurement
from portal.publishing.csv_upload import COLUMNS
from tests.portal.publishing.helpers import entry_by_reference, member

HEADER = ",".join(COLUMNS)
GOOD = [
    "PW-1,School cleaning,Glanhau ysgolion,Daily cleaning of 40 schools,Glanhau dyddiol 40 ysgol,90919300,"
    "500000,,2027-02,2027-09-01,2030-08,UKL14;UKL18,Open,yes,na,caffael@llyw.cymru",
    "PW-2,,Prydau ysgol,,Prydau bwyd i ysgolion cynradd,55524000; 15000000,100000,250000,2027-05,,,UKL,"
    "hyblyg cystadleuol,ie,,",
]


def upload(client, text: str, encoding: str = "utf-8-sig", lang: str = "en"):
    data = {"file": (io.BytesIO(text.encode(encoding)), "pipeline.csv")}
    return client.post(f"/{lang}/publish/upload", data=data, content_type="multipart/form-data")


def confirm(client, response):
    assert response.status_code == 302, response.text[:2000]
    preview_url = response.headers["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    return page, client.post(preview_url)


def test_the_template_has_exactly_the_issue_columns(app, client):
    response = client.get("/cy/publish/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    assert next(csv.reader(io.StringIO(response.data.decode("utf-8-sig")))) == list(COLUMNS)


def test_a_good_file_is_previewed_then_published_in_full(app):
    client, _org = member(app)
    response = upload(client, "\r\n".join([HEADER, *GOOD]) + "\r\n")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "PW-1" in page.text and "PW-2" in page.text
    assert page.text.count('method="post"') == 1  # one POST form: the confirmation
    with app.app_context(), session_scope() as session:
        assert session.exec(select(PlannedWork)).all() == []  # nothing saved before the confirmation
    done = client.post(response.headers["Location"])
    assert done.status_code == 302
    first, second = entry_by_reference(app, "PW-1"), entry_by_reference(app, "PW-2")
    assert first.status == second.status == "published"
    assert first.regions == ["UKL14", "UKL18"] and first.route == "open" and first.vcse_suitable is False
    assert first.value_low == 500000 and first.value_high is None and first.contract_start == "2027-09-01"
    assert (
        second.title_en is None
        and second.route == "competitive-flexible"
        and second.cpv_codes == ["55524000", "15000000"]
    )
    with app.app_context(), session_scope() as session:
        welsh_only = session.exec(select(Procurement).where(Procurement.ocid == second.ocid)).one()
        assert welsh_only.stage == "pipeline" and welsh_only.title_cy == "Prydau ysgol"
        assert (welsh_only.value_min, welsh_only.value_max) == (100000, 250000)
        kept = session.exec(select(PlannedWorkUpload)).one()  # marked confirmed, its rows dropped (test_concurrent)
        assert kept.confirmed_at is not None and kept.rows == []
    assert second.ocid in client.get("/cy/search?q=prydau").text
    assert "PW-2" in client.get("/en/publish/").text


def test_errors_in_several_rows_and_columns_are_all_reported_and_nothing_is_saved(app):
    client, _org = member(app)
    rows = [
        HEADER,
        GOOD[0],
        "PW-3,,,,,9091930,abc,,2027-13,,,XX9,by lottery,maybe,,not-an-email",
        GOOD[1] + ",surplus",
        "PW-1,Again,,,,90919300,300,200,2027-01,2028-01,2027-01,,,,,",
    ]
    response = upload(client, "\r\n".join(rows), lang="cy")
    assert response.status_code == 400
    text = response.text
    for row, column in [
        (3, "title_en"),
        (3, "cpv_codes"),
        (3, "value_low"),
        (3, "to_market"),
        (3, "regions"),
        (3, "route"),
        (3, "sme_suitable"),
        (3, "contact_email"),
        (5, "reference"),
    ]:
        assert f"Rhes {row}, colofn {column}:" in text, (row, column)
    assert "Rhes 4: Mae gan y rhes hon fwy o gelloedd nag sydd o golofnau yn y pennyn" in text
    assert "Dewiswch o leiaf un cod CPV" not in text  # a wrong code is named, not reported as missing
    assert "Nid yw “9091930” yn god CPV" in text
    with app.app_context(), session_scope() as session:
        assert session.exec(select(PlannedWork)).all() == []
        assert session.exec(select(PlannedWorkUpload)).all() == []
    # a row whose own values contradict each other: reported once the cells read
    response = upload(client, "\r\n".join([HEADER, "PW-9,T,,,,90919300,300,200,2027-01,2028-01,2027-01,,,,,"]))
    assert "Row 2, column value_high:" in response.text and "Row 2, column contract_end:" in response.text


def test_a_file_with_wrong_columns_is_refused_by_name(app):
    client, _org = member(app)
    response = upload(client, "reference,title,cpv\r\nA,B,C\r\n")
    assert response.status_code == 400
    assert "Unknown column “title”" in response.text and "The column “to_market” is missing" in response.text


def test_a_re_upload_updates_entries_by_reference(app):
    client, _org = member(app)
    confirm(client, upload(client, "\r\n".join([HEADER, *GOOD])))
    first = entry_by_reference(app, "PW-1")
    changed = GOOD[0].replace("School cleaning", "Cleaning of schools").replace("500000", "650000")
    page, done = confirm(client, upload(client, "\r\n".join([HEADER, changed])))
    assert "Changes your entry" in page.text
    again = entry_by_reference(app, "PW-1")
    assert again.id == first.id and again.ocid == first.ocid and again.title_en == "Cleaning of schools"
    assert again.revision == 2 and again.lots == [] and entry_by_reference(app, "PW-2").revision == 1
    with app.app_context(), session_scope() as session:
        assert len(session.exec(select(PlannedWork)).all()) == 2
        procurement = session.exec(select(Procurement).where(Procurement.ocid == first.ocid)).one()
        assert procurement.title == "Cleaning of schools" and procurement.value_amount == 650000


def test_windows_1252_and_semicolon_files_are_read(app):
    client, _org = member(app)
    header = ";".join(COLUMNS)
    row = "PW-5;Caf\u00e9 services \u2013 county hall;Gwasanaethau caffi;;;55330000;12000;;2027-04;;;UKL;"
    row += "direct award;no;yes;"
    confirm(client, upload(client, "\r\n".join([header, row]), encoding="cp1252"))
    entry = entry_by_reference(app, "PW-5")
    assert entry.title_en == "Caf\u00e9 services \u2013 county hall" and entry.route == "direct-award"
    assert entry.vcse_suitable is True and entry.value_low == 12000


def test_hostile_cells_are_stored_as_text_and_neutralised_in_every_csv_written(app):
    client, org = member(app)
    hostile = '=HYPERLINK("http://evil.example/","click")'
    row = (
        f'PW-6,"{hostile.replace(chr(34), chr(34) * 2)}",<script>alert(1)</script>,@SUM(A1),,90919300,,,2027-06,,,,,,,'
    )
    confirm(client, upload(client, "\r\n".join([HEADER, row])))
    entry = entry_by_reference(app, "PW-6")
    assert entry.title_en == hostile and entry.title_cy == "<script>alert(1)</script>"
    assert entry.description_en == "@SUM(A1)"
    page = client.get(f"/en/notice/{entry.ocid}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page

    exported = client.get(f"/en/publish/{org}/pipeline.csv").data.decode("utf-8-sig")
    cells = next(r for r in csv.reader(io.StringIO(exported)) if r[0] == "PW-6")
    assert cells[1] == "'" + hostile and cells[3] == "'@SUM(A1)"
    search_csv = client.get("/en/search.csv?q=PW-6 OR hyperlink&everything=1").data.decode("utf-8-sig")
    written = [cell for r in csv.reader(io.StringIO(search_csv)) for cell in r]
    assert hostile not in written and "'" + hostile in written
    # the export uploads again unchanged: our own neutralisation is read back as the text it was
    confirm(client, upload(client, exported))
    assert entry_by_reference(app, "PW-6").title_en == hostile


def test_a_withdrawn_reference_is_not_published_again_and_a_huge_file_is_refused(app):
    client, _org = member(app)
    confirm(client, upload(client, "\r\n".join([HEADER, GOOD[0]])))
    entry = entry_by_reference(app, "PW-1")
    assert client.post(f"/en/publish/entries/{entry.id}/withdraw", data={"reason": "Merged"}).status_code == 302
    response = upload(client, "\r\n".join([HEADER, GOOD[0]]))
    page = client.get(response.headers["Location"])
    assert "PW-1 was withdrawn" in page.text and 'method="post"' not in page.text
    assert client.post(response.headers["Location"]).status_code == 409
    assert entry_by_reference(app, "PW-1").status == "withdrawn"
    huge = upload(client, HEADER + "\r\n" + ("x" * 2_000_001))
    assert huge.status_code == 400 and "smaller than 2 MB" in huge.text
