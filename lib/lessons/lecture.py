"""The lecture: chapter 2 as slides in the lecture's order (see ../shared/reference/lecture-outline.md), one idea per
projector screen. Each slide is data: its point, speaker notes, the page it comes from and the settings that page
opens with ("go deeper"). Its live element comes from lib/lessons/lecture_live.py (one function per slide id);
`notices(slide_id, numbers)` writes "the number it measured" from what that function computed.

Pure: no Streamlit, no torch (the page imports it before anything heavy)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence


@dataclass(frozen=True)
class Slide:
    id: str                                   # also the name of its function in lecture_live
    title: str
    point: str                                # the slide's one idea, in one or two sentences
    notes: str                                # speaker notes: what to say, what to ask the room, what the number means
    page: str                                 # url_path of the page in lib/site it comes from ("go deeper")
    settings: tuple[tuple[str, str], ...] = ()  # that page's query parameters, so it opens with the same demo
    quote: str = ""                           # a quotation shown as such, with its source
    source: str = ""


TUNSTALL = ("Lewis Tunstall, Leandro von Werra & Thomas Wolf, *Natural Language Processing with Transformers* "
            "(O'Reilly, 2022), chapter 1, \u201cHello Transformers\u201d")
TUNSTALL_QUOTE = (
    "In 2017, researchers at Google published a paper that proposed a novel neural network architecture for "
    "sequence modeling. Dubbed the Transformer, this architecture outperformed recurrent neural networks (RNNs) on "
    "machine translation tasks, both in terms of translation quality and training cost. In parallel, an effective "
    "transfer learning method called ULMFiT showed that training long short-term memory (LSTM) networks on a very "
    "large and diverse corpus could produce state-of-the-art text classifiers with little labeled data.")

REFERENCES: tuple[tuple[str, str | None], ...] = (
    ("Dodge et al. (2021), Documenting Large Webtext Corpora: A Case Study on the Colossal Clean Crawled Corpus",
     "https://arxiv.org/abs/2104.08758"),
    ("Huyen (2022), *Designing Machine Learning Systems*, O'Reilly", None),
    ("Huyen (2025), *AI Engineering*, chapter 2: Understanding Foundation Models, O'Reilly", None),
    ("Schaul, Chen & Tiku, Inside the secret list of websites that make AI like ChatGPT sound smart, "
     "*The Washington Post*, 19 April 2023", None),
    ("Olah (2015), Understanding LSTM Networks", "https://colah.github.io/posts/2015-08-Understanding-LSTMs/"),
    ("Tunstall, von Werra & Wolf (2022), *Natural Language Processing with Transformers*, O'Reilly", None),
)

# the demos' inputs, shared by the slides, the adapter (lecture_live) and the "go deeper" links
RNN_TEXT = "The capital of France is Paris."
RNN_CELL = "lstm"
ATTENTION_SENTENCE = "the big dog sees a red car"
UNSEEN_SENTENCE = "the big zebra sees a red car"
SAMPLING_PROMPT = "The capital of"
TRANSFORMER_PROMPT = "The capital of France is"

SLIDES: tuple[Slide, ...] = (
    Slide("agenda", "Understanding foundation models",
          "From machine learning to foundation models by way of deep learning; how they are trained (pre-training "
          "and post-training); and why sampling makes them useful, surprising and sometimes wrong.",
          "Say: today is chapter 2 of Huyen's AI Engineering, and every claim comes with a small model trained for "
          "this app, running live on this laptop. Ask the room: who has used a chatbot this week, and did it ever "
          "say something false with confidence? Keep the answers for the last slides. The number is how many "
          "pages of the app go deeper on the topics below.",
          "home"),
    Slide("ml_to_fm", "From machine learning to foundation models",
          "Task-specific models were trained from scratch on labelled data for one job; a foundation model is "
          "pre-trained once on vast unlabelled text and then serves many tasks. Scale is what changed.",
          "Say: the step from deep learning to foundation models was mostly one of scale, in parameters and in "
          "data. Ask: how many times larger is today's largest model than seq2seq (2014), the first model on "
          "our timeline? Let them guess before revealing. The numbers: growth of the largest model in our "
          "timeline and the doubling time from a straight-line fit on the log scale.",
          "model-size"),
    Slide("innovations", "Two innovations",
          "Two ideas led to today's generative models: the attention mechanism, which lets a model look back at "
          "every part of its input, and transfer learning, which reuses one pre-trained model for new tasks.",
          "Say: the rest of the lecture takes these two ideas in turn. The number previews attention: the same "
          "small translator, with and without attention, on the longest sentences it was tested on. Ask: why "
          "would long sentences be the hard case? (Answer on the seq2seq slides.)",
          "seq2seq-bottleneck"),
    Slide("timeline", "A timeline of key models",
          "Parameter counts of key models from seq2seq (2014) to today, on a log scale: each grid line up is ten "
          "times the one below.",
          "Say: read the y axis as powers of ten; a straight line on this chart means exponential growth. Ask: "
          "which families do you recognise? Point at the gap between GPT-2 and GPT-3. The number is the doubling "
          "time of parameter counts across these models.",
          "home"),
    Slide("quote", "Where the two innovations come from",
          "Two results of 2017-2018 set the course: the Transformer for translation, and ULMFiT for transfer "
          "learning.",
          "Read the quotation aloud, slowly. Say: the Transformer is the attention idea taken to its end; ULMFiT "
          "is transfer learning. GPT and BERT combined the two a year later. Ask: what does \u201clittle labeled "
          "data\u201d buy a company that has only a few hundred examples?",
          "home", quote=TUNSTALL_QUOTE, source=TUNSTALL),
    Slide("rnn", "Recurrent neural networks, unrolled",
          "Before Transformers, RNNs such as LSTMs were the tools of choice in NLP: at each step the network reads "
          "one input, writes a hidden state and feeds it back to itself.",
          "Say: this is the same cell copied once per character (unrolling, as in Olah 2015); the arrow h is the "
          "only memory. Move the slider and ask: what will it guess next? The number is the model's probability "
          "for its top guess at this step, and the probability it gave to the character that really came next.",
          "rnn-unrolling", (("rnn_text", RNN_TEXT), ("rnn_cell", RNN_CELL))),
    Slide("seq2seq", "Sequence to sequence, and the bottleneck",
          "An encoder folds the input into its last hidden state and a decoder writes the output from that state "
          "alone: one vector must hold the whole sentence.",
          "Say: this is our own replay of Bahdanau et al. (2014): small GRU translators on a toy English-Spanish "
          "grammar, tested on held-out sentences. Ask: what happens to a fixed-size summary as the sentence grows? "
          "The number: exact-match accuracy of the model without attention on the shortest and on the longest "
          "sentences; then attention beyond the 35 words of the longest training sentence (the two points on the "
          "right): a model is only as good as the lengths it saw.",
          "seq2seq-bottleneck"),
    Slide("two_problems", "Encoder-decoder: two problems",
          "The vanilla decoder sees only the final hidden state, and both sides work one step at a time: each "
          "output token waits for the one before.",
          "Say: problem one was the previous slide. Problem two is time: an RNN cannot start step 10 before step 9. "
          "This chart was timed live on this laptop: one RNN layer against one self-attention layer on the same "
          "sequence. Ask: which of the two would a GPU with thousands of cores speed up? The number is how much "
          "longer the RNN takes at the longest length, and the chain of sequential steps behind it.",
          "seq2seq-bottleneck"),
    Slide("attention", "The attention mechanism",
          "The encoder keeps a hidden state for every input word, and the decoder weighs them anew at every step: "
          "it learns which input word each output word depends on.",
          "Say: each row is one Spanish word and sums to one. Nobody told the model which word translates which; "
          "it learned the alignment from sentence pairs. Point at the crossing: Spanish puts the adjective after "
          "the noun. Ask: where would you expect the row for “rojo” to look? The number: how many output "
          "words put their largest weight on the word they translate.",
          "attention-alignment", (("att_mode", "Type freely"), ("att_text", ATTENTION_SENTENCE))),
    Slide("training_data", "A model is only as good as its data",
          "A word that was never in the training data cannot be translated, however good the architecture: no "
          "Spanish in the data, no English-Spanish translation. Specialised data makes specialised models, and "
          "building datasets is costly.",
          "Say: same model, one word changed to one it never saw. Ask the room to predict the output before you "
          "show it. The number: what the model wrote for the unknown word, and the attention page's measurement: "
          "in 100 sentences with a noun it never saw, how often it wrote that noun's Spanish (never), and how "
          "often it wrote a Spanish noun it knows instead.",
          "attention-alignment", (("att_mode", "Type freely"), ("att_text", UNSEEN_SENTENCE))),
    Slide("datasets", "Standard datasets: Common Crawl and C4",
          "Common Crawl, a non-profit, crawled 2-3 billion pages a month in 2022-2023; Google's C4 is a cleaned "
          "subset. They hold Wikipedia, patents and newspapers, and also misinformation, propaganda, clickbait, "
          "conspiracy theories, racism and misogyny.",
          "Say: cleaning is a list of blunt rules; here are C4's rules run live on a handful of sample pages. Ask: "
          "what does a bad-words list remove besides bad words? (Dodge et al. 2021: text in minority dialects.) "
          "The number: how many sample pages and words survive all the rules.",
          "data-sources"),
    Slide("multilingual", "Multilingual models: what a token costs",
          "A tokenizer trained mostly on English splits many other languages into more pieces, so the same "
          "message costs more tokens, more compute and more money.",
          "Say: the same short passage in each language, tokenized by our tiny GPT's English tokenizer. Ask: who "
          "pays for the extra tokens? Languages spelt much like English can come out near 1x, even below it: "
          "the cost falls on other scripts and on languages far from the training text. The number: the most "
          "expensive language, relative to English.",
          "data-sources"),
    Slide("transformer", "Modeling: the Transformer and its attention",
          "A Transformer keeps only attention: every token looks at every earlier token at once, in a few matrix "
          "products, with no recurrence.",
          "Say: one head of our tiny GPT on a short prompt. Each row is a token; the colour is how much it looks "
          "at each earlier token (the upper triangle is masked: no peeking ahead). The number: where the last "
          "token looks most, and how strongly.",
          "transformer", (("tf_prompt", TRANSFORMER_PROMPT),)),
    Slide("model_size", "Modeling: model size",
          "A model's size is its parameters, the tokens it was trained on, and the compute in between (about "
          "6 x parameters x tokens floating-point operations).",
          "Say: one bar is the tiny GPT running on this laptop, counted from its shape; the others are "
          "published models. Ask: how many of our "
          "model would fit in GPT-3? The numbers: our parameter count, the ratio to GPT-3, and the training "
          "compute GPT-3 would need by the 6ND rule.",
          "model-size"),
    Slide("post_training", "Modeling: post-training",
          "Pre-training makes a text predictor; supervised finetuning (SFT) on demonstrations teaches it to answer, "
          "and preference finetuning teaches it which answers people prefer.",
          "Say: the same question about a country that does not exist, asked of the three checkpoints. Ask: which "
          "answer would you ship? The number is the probability each checkpoint gives to starting with \u201cI\u201d, "
          "the first word of \u201cI don't know\u201d.",
          "post-training", ()),   # the page opens on the slide's country (post_training.default_option)
    Slide("sampling", "Sampling",
          "A model outputs a probability for every possible next token; sampling picks one. Temperature sharpens "
          "or flattens the distribution, so the same prompt can give different answers.",
          "Press the temperature buttons (T = 0 to T = 2) and ask the room what will happen to the bars first. "
          "The number: the top token's probability after temperature, and how many tokens can still be drawn.",
          "sampling-hallucination", (("samp_prompt", SAMPLING_PROMPT),)),
    Slide("hallucination", "Hallucinations and the probabilistic nature of AI",
          "Asked about something it never saw, a model still writes a fluent answer: it samples likely-looking "
          "text, not facts. Finetuning on answers teaches it to answer every question; preference tuning teaches "
          "it to say \u201cI don't know\u201d some of the time, not always.",
          "Say: these are held-out invented country names; an answer that names a capital is a hallucination. "
          "Ask: the base model's line is low; why is that not good news? (It mostly does not answer the "
          "question at all: its 'a.' is neither a capital nor an abstention.) SFT taught the model to always "
          "answer, so it names a capital for almost every invented name; preference tuning lowers that line, it "
          "does not reach zero. The number: at temperature 0, the share of invented names for which SFT and the "
          "preference-tuned model name a capital, and how often the latter says it does not know.",
          "sampling-hallucination"),
    Slide("references", "References",
          "Where the slides' claims and pictures come from.",
          "Say: every page of the app repeats its own references; the slides' figures are in "
          "assets/data with a source column. Invite questions.",
          "home"),
)

# transfer learning sits after attention in the lecture; its page comes from another branch. The slide is added
# only when that page is registered in lib/site (see `slides`).
TRANSFER = Slide(
    "transfer", "Transfer learning",
    "Pre-train a language model on plenty of unlabelled text, then train a classifier on a few labels (here: a "
    "real sentence, or the same words shuffled?): it beats the same model trained from scratch on those labels.",
    "Say: this is ULMFiT's recipe on our tiny scale: the char LSTM read the fact world without labels, then a "
    "classifier learns real against shuffled sentences from N labels. Ask: how many labels would you need without "
    "pre-training? Press Train to train all three models on 32 labels now (about 5 s on a quiet laptop, longer "
    "on a busy one; open circles). Point at the frozen probe: only its head is trained, on top of the pre-trained "
    "model, and it is up with fine-tuning or above it: the pre-trained features already tell real from shuffled. "
    "The number: accuracy of pre-trained against from scratch at 32 labels, and with the most labels.",
    "transfer-learning")
TRANSFER_AFTER = "attention"


def slides(registered: Sequence[str] | None = None) -> tuple[Slide, ...]:
    """The deck in lecture order; the transfer-learning slide only when its page is registered (`registered`:
    the url_paths of lib/site's pages, "home" included)."""
    if registered is None or TRANSFER.page not in registered:
        return SLIDES
    i = next(k for k, s in enumerate(SLIDES) if s.id == TRANSFER_AFTER) + 1
    return SLIDES[:i] + (TRANSFER,) + SLIDES[i:]


# ------------------------------------------------------------------------------------------------- navigation
def clamp(raw, n_slides: int) -> int:
    """A slide number from the URL (any string, number or None) as 1..n_slides: a bad value lands on slide 1, a
    number out of range on the nearest end."""
    if n_slides < 1:
        raise ValueError("a deck needs at least one slide")
    try:
        value = float(str(raw).strip())
    except (TypeError, ValueError):
        return 1
    if not math.isfinite(value):
        return n_slides if value > 0 else 1
    return int(min(max(int(value), 1), n_slides))


def next_slide(n: int, n_slides: int) -> int:
    return min(n + 1, n_slides)


def prev_slide(n: int, n_slides: int) -> int:
    return max(n - 1, 1)


def go_deeper_query(slide: Slide, extra: Mapping[str, object] | None = None) -> dict[str, str]:
    """The query parameters of the slide's page: its own settings, plus those the lecturer changed on the slide."""
    out = {k: v for k, v in slide.settings}
    for k, v in (extra or {}).items():
        out[k] = str(v)
    return out


# ------------------------------------------------------------------------------------------------- the numbers
def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _agenda(v):
    return [f"{v['pages']} pages of this app go deeper, in {v['sections']} sections."]


def _ml_to_fm(v):
    out = [f"From {v['first']} to {v['last']} ({v['years']:.1f} years) the largest model grew "
           f"**{v['ratio']:,.0f}x**."]
    if math.isfinite(v["doubling_months"]):
        out.append(f"A straight-line fit on the log scale: about **{v['per_year']:.1f}x per year**, a doubling every "
                   f"**{v['doubling_months']:.0f} months**.")
    else:
        out.append("The fit shows no growth across these models.")
    return out


def _innovations(v):
    gain = v["with"] - v["without"]
    if gain > 0:
        return [f"On {v['bucket']}-word sentences our translator gets **{v['without']:.0f}%** exactly right without "
                f"attention and **{v['with']:.0f}%** with it: attention adds **{gain:.0f} points**."]
    return [f"On {v['bucket']}-word sentences attention did not help here: {v['without']:.0f}% without, "
            f"{v['with']:.0f}% with."]


def _timeline(v):
    if math.isfinite(v["doubling_months"]):
        return [f"Across {v['models']} models, parameter counts doubled about every **{v['doubling_months']:.0f} "
                f"months**."]
    return [f"Across {v['models']} models, parameter counts did not grow."]


def _quote(v):
    return []


def _rnn(v):
    out = [f"After reading *{v['read']}* (step {v['step']} of {v['steps']}), the top guess is *{v['guess']}* at "
           f"**{_pct(v['guess_p'])}**."]
    if v.get("next") is None:
        out.append("This is the last character: nothing comes next.")
    elif v["next"] == v["guess"]:
        out.append(f"Right: the next character is *{v['next']}*.")
    else:
        out.append(f"Wrong: the next character is *{v['next']}*, which got {_pct(v['next_p'])}.")
    return out


def _seq2seq(v):
    drop = v["short"] - v["long"]
    who = f"Without attention ({v['model'].split(', ')[-1]})" if v.get("model") else "Without attention"
    if drop > 10:
        out = [f"{who}: **{v['short']:.0f}%** exactly right on {v['short_bucket']}-word sentences, "
               f"**{v['long']:.0f}%** on {v['long_bucket']}-word ones. The bottleneck costs {drop:.0f} points."]
    else:
        out = [f"{who}: {v['short']:.0f}% on {v['short_bucket']}-word sentences and {v['long']:.0f}% on "
               f"{v['long_bucket']}-word ones: no clear drop in this run."]
    if "att_beyond" in v:
        (b1, b2), (near, far) = v["beyond_buckets"], v["att_beyond"]
        if far < v["att_long"] - 20:
            out.append(f"With attention: **{v['att_long']:.0f}%** up to {v['trained_up_to']} words, the longest it "
                       f"was trained on, but **{near:.0f}%** at {b1} and **{far:.0f}%** at {b2} words.")
        else:
            out.append(f"With attention: {v['att_long']:.0f}% up to {v['trained_up_to']} words, and still "
                       f"{near:.0f}% at {b1} and {far:.0f}% at {b2} words, lengths it never saw.")
    return out


def _two_problems(v):
    r = v["rnn_ms"] / v["att_ms"] if v["att_ms"] > 0 else math.inf
    if r > 1:
        return [f"At {v['length']} positions the RNN takes **{r:.1f}x** as long as self-attention "
                f"({v['rnn_ms']:.1f} ms against {v['att_ms']:.1f} ms): {v['length']} steps in a chain against "
                f"{v['att_steps']}."]
    return [f"At {v['length']} positions the RNN was not slower on this machine this time ({v['rnn_ms']:.1f} ms "
            f"against {v['att_ms']:.1f} ms), but it still needs {v['length']} steps in a chain against "
            f"{v['att_steps']}."]


def _attention(v):
    out = [f"**{v['aligned']} of {v['rows']}** output words put their largest weight on the word they translate."]
    if not v["correct"]:
        out.append("The translation itself differs from the grammar's.")
    return out


def _training_data(v):
    if v["unknown"]:
        out = [f"**{len(v['unknown'])}** word(s) never seen in training: *{', '.join(v['unknown'])}*. The model "
               f"wrote *{v['output']}*."]
    else:
        out = [f"Every word was seen in training; the model wrote *{v['output']}*."]
    if v.get("measured"):  # the attention page's own sentence, measured on 100 sentences (unseen_notice)
        out.append(v["measured"])
    return out


def _datasets(v):
    return [f"Of {v['raw_pages']} sample pages, **{v['pages']}** survive the C4 rules "
            f"({_pct(v['pages'] / v['raw_pages']) if v['raw_pages'] else '0%'}), with "
            f"{_pct(v['words'] / v['raw_words']) if v['raw_words'] else '0%'} of the words."]


def _multilingual(v):
    if v["ratio"] > 1:
        return [f"The same passage costs **{v['ratio']:.1f}x** the tokens in {v['language']} as in English."]
    return [f"No language costs more tokens than English here (at most {v['ratio']:.1f}x)."]


def _transformer(v):
    return [f"The last token, *{v['query']}*, looks most at *{v['key']}* (weight **{v['weight']:.2f}**) in layer "
            f"{v['layer']}, head {v['head']}."]


def _model_size(v):
    return [f"Our tiny GPT has **{v['ours_text']}** parameters; GPT-3 has **{v['ratio']:,.0f}x** as many.",
            f"GPT-3 at Chinchilla's 20 tokens per parameter would need about **{v['flops']:.1e}** FLOPs (6ND)."]


def prob_text(p: float) -> str:
    """A probability as people read it: two decimals, or the power of ten when that would print 0.00."""
    return f"{p:.2f}" if p >= 0.005 else f"{p:.0e}".replace("e-0", "e-")


def _post_training(v):
    base, tuned = v["base_idk"], v["dpo_idk"]
    if tuned > base:
        out = [f"Asked about {v['name']}, the base model starts with \u201cI\u201d at **{prob_text(base)}**, the "
               f"preference-tuned one at **{prob_text(tuned)}**: post-training taught it to say it does not know."]
    else:
        out = [f"Asked about {v['name']}, preference tuning did not raise the chance of starting with \u201cI\u201d "
               f"({prob_text(base)} base, {prob_text(tuned)} tuned)."]
    if v.get("sft_outcome") == "capital":
        out.append(f"SFT names a capital anyway (\u201c{v['sft_answer']}\u201d): finetuning on demonstrations taught "
                   f"it to answer every question, known or not.")
    return out


def _sampling(v):
    out = [f"At temperature **{v['temperature']:.1f}** the top token *{v['top']}* has **{_pct(v['top_p'])}**; "
           f"{v['kept']} of {v['vocab']} tokens can be drawn."]
    if v["temperature"] == 0:
        out.append("Temperature 0 is greedy: the same answer every time.")
    elif v["top_p"] < 0.5:
        out.append("The top token is now less likely than all the others together: samples will disagree.")
    return out


def _hallucination(v):
    """v: shares of held-out invented names, greedy: "sft" and "dpo" name a capital, "abstain" DPO says it does not
    know."""
    if v["dpo"] < v["sft"]:
        return [f"At temperature 0, the finetuned model (SFT) names a capital for **{_pct(v['sft'])}** of invented "
                f"names, the preference-tuned one for **{_pct(v['dpo'])}** (it says it does not know for "
                f"{_pct(v['abstain'])}): fewer, not none."]
    return [f"At temperature 0, the preference-tuned model names a capital for {_pct(v['dpo'])} of invented names, "
            f"the SFT model for {_pct(v['sft'])}: no improvement."]


def _references(v):
    return []


def _transfer(v):
    """The transfer-learning page's own sentences (lib/lessons/transfer_learning.py: curve_notices, live_notices)."""
    return list(v.get("said", ()))


NOTICES: dict[str, Callable[[dict], list[str]]] = {
    "agenda": _agenda, "ml_to_fm": _ml_to_fm, "innovations": _innovations, "timeline": _timeline, "quote": _quote,
    "rnn": _rnn, "seq2seq": _seq2seq, "two_problems": _two_problems, "attention": _attention,
    "training_data": _training_data, "datasets": _datasets, "multilingual": _multilingual,
    "transformer": _transformer, "model_size": _model_size, "post_training": _post_training,
    "sampling": _sampling, "hallucination": _hallucination, "references": _references, "transfer": _transfer,
}


def notices(slide_id: str, numbers: Mapping | None) -> list[str]:
    """"The number it measured" for a slide, written from the numbers its live element computed."""
    if not numbers:
        return []
    return NOTICES[slide_id](dict(numbers))
