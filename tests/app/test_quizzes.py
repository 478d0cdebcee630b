"""Every page's "Check yourself" quiz: each question has exactly one right answer, the right answer cannot be
spotted by its length, and a wrong click does not give the answer away."""
from lib import site
from tests.apptest import open_page

PAGES = [site.HOME, *site.PAGES]
# the lecture is a slide deck, not a reading page: its questions are the speaker notes' "Ask the room" (checked in
# tests/unit/test_lecture.py), and every slide links to the page whose quiz covers it. It is still surveyed: a quiz
# added to it must have one right answer per question.
DECKS = {"app_pages/lecture.py"}


def _quiz_keys(at):
    return [r.key for r in at.radio if r.key and r.key.startswith("quiz_")]


def _survey():
    found = {}
    for info in PAGES:
        at = open_page(info.path)
        questions = []
        for key in _quiz_keys(at):
            options = list(at.radio(key=key).options)
            right = []
            for option in options:
                at.radio(key=key).set_value(option).run()
                assert not at.exception, at.exception
                if any(s.value.startswith("Right.") for s in at.success):
                    right.append(option)
                else:
                    assert any("Not quite" in w.value for w in at.warning)
                    assert not any(option in w.value for w in at.warning if option != "")
            questions.append({"key": key, "options": options, "right": right})
            at = open_page(info.path)  # a clean page for the next question
        found[info.title] = questions
    return found


SURVEY = _survey()


def test_every_page_has_a_quiz_of_at_least_two_questions():
    decks = {info.title for info in PAGES if info.path in DECKS}
    short = {page: len(qs) for page, qs in SURVEY.items() if len(qs) < 2 and page not in decks}
    assert not short, f"pages with fewer than 2 quiz questions: {short}"


def test_each_question_has_exactly_one_right_answer():
    bad = {q["key"]: q["right"] for qs in SURVEY.values() for q in qs if len(q["right"]) != 1}
    assert not bad, bad


def test_the_right_answer_is_not_given_away_by_its_length():
    qs = [q for questions in SURVEY.values() for q in questions if len(q["right"]) == 1]
    longest = [q["key"] for q in qs
               if len(q["right"][0]) > max(len(o) for o in q["options"] if o != q["right"][0])]
    assert len(longest) <= len(qs) / 3, f"the right answer is the longest option in {len(longest)} of {len(qs)}: {longest}"
