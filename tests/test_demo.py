from markupsafe import escape

from eventapp.extensions import db
from eventapp.models import Event, Registration


def test_demo_is_idempotent_and_looks_like_the_seminar(runner, app):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    event_id = int(first.output.strip().splitlines()[-1])
    second = runner.invoke(args=["demo"])
    assert int(second.output.strip().splitlines()[-1]) == event_id
    assert db.session.execute(db.select(db.func.count(Event.id))).scalar_one() == 1
    event = db.session.get(Event, event_id)
    assert event.title.startswith("Seminar & Networking: ")
    regs = list(db.session.execute(
        db.select(Registration).where(Registration.event_id == event_id)).scalars())
    assert 44 <= len(regs) <= 52
    companies = {r.organisation for r in regs if r.category.code == "company"}
    countries = {r.country for r in regs if r.category.code == "embassy"}
    assert len(companies) >= 10 and len(countries) >= 7
    assert any(not r.organisation.isascii() for r in regs if r.category.code == "company")
    assert all(r.technologies_offered for r in regs if r.category.code == "company")
    assert all(r.technology_needs for r in regs if r.category.code == "embassy")
    assert event.has_networking and len(event.agenda_items) >= 4
    assert "organiser@example.com / demo-organiser" in first.output
    client = app.test_client()
    assert client.post("/login", data={"email": "organiser@example.com",
                                       "password": "demo-organiser"}).status_code == 302
    assert str(escape(event.title)) in client.get("/").get_data(as_text=True)
