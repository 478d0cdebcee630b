"""The Model size page, through the real app.py: the calculator, its check against a real model, presets, the
cost arithmetic and the charts over time."""
from lib.lessons import model_size as sizing
from lib.lessons.model_size import GPTShape
from tests.apptest import open_page, texts

PAGE = "app_pages/model_size.py"


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def test_page_renders_with_template_and_checked_count():
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Model size"
    body = texts(at)
    for part in ("What to notice", "Check yourself", "References", "Mixture of experts"):
        assert part in body, part
    n = sizing.count_parameters(GPTShape(6, 384, 6, 8192, 512))
    assert f"**N = {n:,}**" in body
    assert any("built for real on the CPU" in s.value and f"{n:,}" in s.value for s in at.success)
    assert len(at.get("latex")) == 1


def test_changing_the_shape_updates_count_and_check():
    at = open_page(PAGE)
    at.number_input(key="size_layers").set_value(2).run()
    at.number_input(key="size_width").set_value(64).run()
    at.number_input(key="size_heads").set_value(4).run()
    at.number_input(key="size_vocab").set_value(100).run()
    at.number_input(key="size_context").set_value(32).run()
    assert not at.exception
    assert any("108,544 parameters, the same as the formula" in s.value for s in at.success)
    assert at.query_params.get("size_layers") == "2"


def test_big_shape_is_checked_on_the_meta_device():
    at = open_page(PAGE)
    at.number_input(key="size_layers").set_value(12).run()
    at.number_input(key="size_width").set_value(768).run()
    at.number_input(key="size_heads").set_value(12).run()
    at.number_input(key="size_vocab").set_value(50257).run()
    at.number_input(key="size_context").set_value(1024).run()
    assert not at.exception
    assert any("meta device" in s.value and "124,439,808" in s.value for s in at.success)


def test_bad_heads_give_a_friendly_warning():
    at = open_page(PAGE)
    at.number_input(key="size_heads").set_value(7).run()
    assert not at.exception
    assert any("cannot be built" in w.value for w in at.warning)
    assert any("Fix the shape above" in i.value for i in at.info)
    assert "Check yourself" in texts(at)


def test_gpt3_preset_with_reported_tokens_gives_huyens_numbers():
    at = open_page(PAGE)
    at.selectbox(key="size_model").set_value("GPT-3").run()
    at.radio(key="size_tokens_rule").set_value("As the model reported").run()
    assert not at.exception
    assert metric(at, "Parameters N").value == "175 B"
    assert metric(at, "Training tokens D").value == "300 B"
    assert metric(at, "Compute 6 N D").value == "3.15e+23 FLOPs"
    cost = sizing.training_cost(3.15e23, 256, 0.7)
    assert metric(at, "Time").value == sizing.human_duration(cost.days)
    assert metric(at, "Cost").value == sizing.human_money(cost.dollars) == "$4.17 M"
    assert "$4.14 M" in texts(at)  # Huyen's example in the expander


def test_gpus_and_utilisation_change_time_and_money():
    at = open_page(PAGE)
    at.selectbox(key="size_model").set_value("Chinchilla").run()
    before = metric(at, "Time").value
    at.number_input(key="size_gpus").set_value(512).run()
    at.slider(key="size_util").set_value(0.35).run()
    assert not at.exception
    assert metric(at, "Time").value == before  # twice the GPUs at half the utilisation
    assert "Doubling the utilisation to 70%" in texts(at)


def test_preset_without_tokens_falls_back_to_chinchilla_and_moe_note():
    at = open_page(PAGE)
    at.selectbox(key="size_model").set_value("Mixtral 8x7B").run()
    at.radio(key="size_tokens_rule").set_value("As the model reported").run()
    assert not at.exception
    assert any("Chinchilla rule is used instead" in i.value for i in at.info)
    assert metric(at, "Training tokens D").value == sizing.human(20 * 46.7e9)
    assert "12.9 B (28%)" in texts(at)


def test_own_token_count():
    at = open_page(PAGE)
    at.radio(key="size_tokens_rule").set_value("My own number").run()
    at.number_input(key="size_tokens_b").set_value(1000.0).run()
    assert not at.exception
    assert metric(at, "Training tokens D").value == "1 T"


def test_quiz_and_projector_mode():
    at = open_page(PAGE, projector=True)
    assert not at.exception
    at.radio(key="quiz_model_size_0").set_value("3.15e23").run()
    assert any("6 x 175e9 x 300e9" in s.value for s in at.success)


def test_url_values_are_checked_and_clamped():
    at = open_page()
    for key, value in {"size_layers": "100000", "size_width": "abc", "size_heads": "0",
                       "size_model": "GPT-9", "size_util": "nan"}.items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.number_input(key="size_layers").value == 200
    assert at.number_input(key="size_width").value == 384
    assert at.number_input(key="size_heads").value == 1
    assert at.selectbox(key="size_model").value == "Your shape (above)"
    assert at.slider(key="size_util").value == 0.7


def test_mixtral_cards_text_and_notice_use_one_rule():
    """Issue 16: the cards computed Mixtral from all 46.7 B parameters (2.62e23, 282 days, $3.46 M) while the text and
    What to notice used the 12.9 B active ones (7.23e22). Now all three use 6 x N_active x D."""
    at = open_page(PAGE)
    at.selectbox(key="size_model").set_value("Mixtral 8x7B").run()
    assert not at.exception
    body = texts(at)
    flops = 6 * 12.9e9 * 20 * 46.7e9
    cost = sizing.training_cost(flops, 256, 0.7)
    assert metric(at, "Compute 6 N D").value == f"{flops:.3g} FLOPs" == "7.23e+22 FLOPs"
    assert metric(at, "Time").value == sizing.human_duration(cost.days)
    assert metric(at, "Cost").value == sizing.human_money(cost.dollars)
    assert metric(at, "Parameters N").delta == "12.9 B active"
    assert "2.62e+23 FLOPs" not in body and "6 x 1.29e+10 active x" in body and "N_active" in body
    notice = body[body.index("What to notice"):]
    assert "needs 7.23e+22 FLOPs" in notice and sizing.human_duration(cost.days) in notice
    assert "**12.9 B active** parameters, 7.23e+22 FLOPs" in notice
