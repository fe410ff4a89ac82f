/* Unit tests: each scoring rule (sentiment, outage, services, features, region). */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "outcry/score.h"
#include "tap.h"

static struct oc_lexicon lx;
static struct oc_scorer sc;
static struct oc_score s;

static const struct oc_score *score_h(const char *text, const char *lang, const char *country)
{
	struct oc_hints h;

	memset(&h, 0, sizeof(h));
	h.lang = lang;
	h.country = country;
	oc_score_text(&sc, text, strlen(text), &h, &s);
	return &s;
}

static const struct oc_score *score(const char *text)
{
	return score_h(text, NULL, NULL);
}

static double compound(const char *text)
{
	return score(text)->compound;
}

static int has_service(const char *id)
{
	size_t i;

	for (i = 0; i < s.nservices; i++)
		if (strcmp(lx.services[s.services[i]], id) == 0)
			return 1;
	return 0;
}

static int has_feature(int f)
{
	return (s.features & (1u << f)) != 0;
}

/*
 * --explain of the last post scored, parsed: the number of its entries in layer whose
 * match is match and whose rule begins with rule (any match when NULL), and in *sum the
 * sum of the values of all entries in layer.
 */
static int explained(const char *layer, const char *match, const char *rule, double *sum)
{
	json_t *a;
	json_error_t jerr;
	size_t i;
	int n = 0;
	char *text = malloc(s.explain.len + 3);

	text[0] = '[';
	memcpy(text + 1, s.explain.data, s.explain.len);
	strcpy(text + 1 + s.explain.len, "]");
	a = json_loads(text, 0, &jerr);
	free(text);
	if (sum)
		*sum = 0;
	if (a == NULL)
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		json_t *e = json_array_get(a, i);
		const char *l = json_string_value(json_object_get(e, "layer"));
		const char *m = json_string_value(json_object_get(e, "match"));
		const char *r = json_string_value(json_object_get(e, "rule"));

		if (l == NULL || m == NULL || r == NULL || strcmp(l, layer) != 0)
			continue;
		if (sum)
			*sum += json_number_value(json_object_get(e, "value"));
		if ((match == NULL || strcmp(m, match) == 0) && strncmp(r, rule, strlen(rule)) == 0)
			n++;
	}
	json_decref(a);
	return n;
}

/* Whether the sentiment values of the last post's --explain add up to its compound. */
static int sentiment_adds_up(void)
{
	double sum, c;

	explained("sentiment", NULL, "", &sum);
	c = sum == 0 ? 0 : sum / sqrt(sum * sum + OC_ALPHA);
	c = c > 1 ? 1 : c < -1 ? -1 : c;
	return fabs(c - s.compound) < 1e-3;
}

int main(void)
{
	const char *dir = getenv("OUTCRY_LEXICONS");
	struct oc_error err;
	struct oc_hints h;

	if (oc_lexicon_load(&lx, dir ? dir : OC_SRC_LEXICONS, &err) < 0) {
		printf("Bail out! %s\n", err.message);
		return 1;
	}
	oc_scorer_init(&sc, &lx);
	oc_score_init(&s);

	/* sentiment: VADER's rules */
	is_near(compound("the weather"), 0, 1e-9, "no sentiment evidence gives compound 0");
	ok(compound("this is good") > 0.3, "positive word");
	ok(compound("this is bad") < -0.3, "negative word");
	ok(compound("this is not good") < 0, "negation flips");
	ok(compound("this is not very good") < 0, "negation across a booster");
	ok(compound("it wasn't awful") > 0 && compound("it wasn't awful") < -compound("it wasn't lovely") / 1.5,
	   "a negated negative is faint praise, weaker than a negated positive is blame");
	ok(compound("this is very good") > compound("this is good"), "booster raises");
	ok(compound("this is kind of good") < compound("this is good"), "dampener lowers");
	ok(compound("this is GOOD today") > compound("this is good today"), "ALL-CAPS emphasis");
	ok(compound("this is good!!!") > compound("this is good"), "exclamation emphasis");
	ok(compound("the app is good but the support is awful") < 0, "contrast: the clause after 'but' weighs more");
	ok(compound("soooo good") > 0.3, "elongated words are found");
	ok(compound("love it \xF0\x9F\x98\x8D") > compound("love it"), "emoji valence adds");
	ok(compound("ugh :(") < 0, "emoticon valence");
	ok(compound("see you =P") > 0, "'=P', which the tokenizer knows, has a valence too");
	ok(compound("without a doubt the best") > 0, "'without doubt' is not a negation");
	ok(compound("#fail") < -0.3 && compound("#love") > 0.3, "a one-word hashtag carries its word's feeling");
	ok(compound("#not") == 0, "a hashtag of a modifier word carries nothing");
	ok(compound("ahahahah") > 0.3 && compound("jajajjaja") > 0.3 && compound("kkkkk") > 0.3 &&
	   compound("wkwkwk") > 0.3 && compound("rsrsrs") > 0.3, "laughter at any length and in several languages");
	ok(compound("kkk") == 0 && compound("haja") == 0 && compound("hhhh") == 0, "... and not what only looks like it");
	ok(compound("I can't. LOL") > 0.3, "negation stops at the end of a sentence");
	ok(compound("no! I am happy") > 0, "negation stops at a sentence end before a skipped 'I'");
	ok(compound("great, spotify is down again") < 0, "praise in an outage report reads as irony");
	ok(compound("just perfect. slack is down") < 0, "ironic praise in the sentence before the report");
	ok(compound("spotify is back up, thanks!") > 0, "praise without an outage report stays praise");
	ok(compound("good morning, is discord down for anyone?") > 0, "a greeting is not praise");
	ok(score_h("genial, otra vez caído whatsapp", "es", NULL)->compound < 0, "ironic praise in Spanish");
	ok(compound("lack of sleep is killing me") < 0, "'lack of' negates its noun, not the verb after");
	ok(compound("no money is killing me") < -0.3, "'no' before a noun does not reach past 'is'");
	ok(compound("no one is happy") < 0, "'no one' still negates past 'is'");
	ok(compound("the app works without any problems") > 0, "'without' negates the noun it governs");
	ok(compound("I have no idea lol") > 0.1 && compound("not the latter lol") > 0.3,
	   "an interjection ('lol') is not negated");
	ok(compound("no") < 0 && compound("no electricity since noon") < 0, "'no' on its own is negative");
	ok(compound("no good") < 0 && compound("no problem") > 0, "... and yields to the word it negates");
	s = *score_h("no me llegan los mensajes", "es", NULL);
	is_near(s.compound, 0, 1e-9, "Spanish 'no' is only a negator");
	score("great");
	is_near(s.pos + s.neu + s.neg, 1.0, 0.01, "pos/neu/neg are proportions");
	score_h("das ist sehr gut", "de", NULL);
	ok(s.compound > 0.3, "German: sehr gut is positive");
	score_h("das ist nicht gut", "de", NULL);
	ok(s.compound < 0, "German: nicht negates");
	ok(score_h("yeh gaana bura nahi hai", "hi-Latn", NULL)->compound < compound("yeh that was fun") &&
		   score_h("yeh gaana", "hi-Latn", NULL)->compound == 0,
	   "Hinglish 'yeh' (this) is not English 'yeh' (yeah)");
	ok(score_h("LINE落ちてる、最高", "ja", NULL)->compound < 0 && score_h("最高の一日", "ja", NULL)->compound > 0.3 &&
		   score_h("サーバー落ちてるけど、このゲーム最高", "ja", NULL)->compound > 0,
	   "Japanese praise in an outage report is irony, not with a contrast word");
	score_h("esto es una mierda", "es", NULL);
	ok(s.compound < 0, "Spanish negative");
	score_h("最高！ありがとう", "ja", NULL);
	ok(s.compound > 0.3, "Japanese positive by substring");

	/* outage evidence */
	ok(score("spotify is down")->is_outage, "service + is down");
	ok(score("is discord down?")->is_outage, "question form");
	ok(score("just me or is whatsapp not working?")->is_outage, "not working + just me");
	ok(score("can't log in to netflix")->is_outage, "can't log in");
	ok(!score("feeling down today")->is_outage, "feeling down is not an outage");
	ok(!score("download the new spotify app")->is_outage, "download is not down");
	ok(!score("twitter shut down its office in brazil")->is_outage, "shut down its office");
	ok(!score("bitcoin prices down again")->is_outage, "prices down");
	ok(score("problems with spotify again")->is_outage, "'problems with' a service, as in the other languages");
	ok(!score("the trouble with netflix is the price")->is_outage, "'the trouble with' is an opinion");
	ok(score("github actions runners stuck in queued for 30 mins")->is_outage &&
		   score("chatgpt is at capacity again")->is_outage && score("vercel deploys are failing")->is_outage &&
		   has_feature(OC_FEAT_POSTING),
	   "developer and AI service wording: queued jobs, at capacity, failing deploys (posting)");
	ok(score("Outlook keeps asking for password")->is_outage && has_feature(OC_FEAT_LOGIN) &&
		   score("slack huddles keep dropping")->is_outage && has_feature(OC_FEAT_MESSAGING) &&
		   score("starlink down?")->is_outage && has_service("starlink") &&
		   score("apple pay declined everywhere, is it down?")->is_outage && has_service("applepay"),
	   "login loops, huddles; Starlink and Apple Pay are services");
	ok(score_h("Shopee error terus dari tadi pagi", "id", NULL)->is_outage && has_service("shopee") &&
		   score_h("OVO gak bisa top up", "id", NULL)->is_outage && has_service("ovo") &&
		   has_feature(OC_FEAT_PAYMENTS) && !score_h("temu ya besok, dana darurat", "id", NULL)->nservices,
	   "shops and wallets: Shopee, OVO; 'temu' and 'dana' in lower case are words");
	ok(!score("a confluence of events")->nservices && score("Confluence is down")->nservices == 1,
	   "'Confluence' names Atlassian's wiki only as written so");
	ok(score("instagram dms aren't loading at all")->is_outage &&
		   score("can't upload videos to youtube")->is_outage && has_feature(OC_FEAT_POSTING) &&
		   score("xbox party chat keeps cutting out")->is_outage &&
		   score("spotify just stopped playing mid song")->is_outage && has_feature(OC_FEAT_PLAYBACK),
	   "aren't loading, can't upload, keeps cutting out, stopped playing");
	ok(!score("cutting out sugar this month")->is_outage && !score("my mind is blank, spotify pick a song")->is_outage,
	   "'cutting out' sugar, a blank mind are not outages");
	ok(!score("netflix stock crashed after the earnings call")->is_outage &&
		   !score("twitter is dead to me")->is_outage && !score("the whole team is down with the flu")->is_outage &&
		   !score("I'm so down for a netflix marathon tonight")->is_outage &&
		   !score("can't connect with people who don't like spotify")->is_outage &&
		   !score("spotify down? nah just me hitting shuffle")->is_outage,
	   "hard negatives: stock crashed, dead to me, down with the flu, so down for, connect with people, nah just me");
	ok(!score("the stadium was at capacity")->is_outage && !score("high latency jobs at the plant")->is_outage,
	   "'at capacity', 'high latency' need a service");
	ok(score_h("Warum geht Netflix nicht?", "de", NULL)->is_outage &&
		   score_h("Bei mir lädt Instagram nicht", "de", NULL)->is_outage &&
		   score_h("Waarom werkt Instagram niet?", "nl", NULL)->is_outage &&
		   score_h("Doet WhatsApp het niet?", NULL, NULL)->is_outage,
	   "German and Dutch verb before the subject: 'geht Netflix nicht', 'doet WhatsApp het niet'");
	ok(score("why won't netflix load")->is_outage && score("isn't whatsapp working for you guys?")->is_outage &&
		   score("why can't i log into instagram")->is_outage && has_feature(OC_FEAT_LOGIN) &&
		   score("won't netflix play anything tonight?")->is_outage && has_feature(OC_FEAT_PLAYBACK),
	   "English questions: a negated auxiliary before the service or 'I' (its feature too)");
	ok(!score("why can't i stop listening to spotify")->is_outage &&
		   !score("i can't believe netflix cancelled it")->is_outage &&
		   !score("why don't you use spotify")->is_outage,
	   "English: only a whole phrase around the subject counts");
	ok(score_h("¿no te carga Instagram?", "es", NULL)->is_outage &&
		   !score_h("no le carga el celular a mi mamá", "es", NULL)->is_outage,
	   "Spanish 'no te/le carga' with the service after it; a phone that won't charge is not an outage");
	ok(score_h("no puedo hacer transferencias en BBVA", "es", NULL)->is_outage && has_feature(OC_FEAT_PAYMENTS) &&
		   score_h("alguém mais com o instagram fora?", "pt-BR", NULL)->is_outage &&
		   !score_h("vou lá fora com o instagram aberto", "pt-BR", NULL)->is_outage,
	   "Spanish 'no puedo hacer transferencias'; Portuguese 'fora' in a question about a service");
	ok(!score_h("Heute geht Spotify gut", "de", NULL)->is_outage &&
		   !score_h("Warum geht Netflix? Nicht schlecht", "de", NULL)->is_outage,
	   "a split phrase needs its words in one sentence");
	ok(!score("netflix is down 3% after earnings")->is_outage, "'is down' with a percentage is a figure");
	ok(!score("spotify is down by 5 percent")->is_outage, "a figure after a linking word, with a unit");
	ok(!score("instagram is down 4 pts today")->is_outage, "a figure with a unit word");
	ok(!score("traffic is down 20 % this week")->is_outage, "a figure with a spaced percent sign");
	ok(score("spotify is down 3 hours now")->is_outage, "a duration after 'is down' is still a report");
	ok(score("netflix is down. 5% of users affected")->is_outage, "a figure in the next sentence");
	ok(!score("spotify isn't down for me, works fine")->is_outage, "negated report is evidence against");
	ok(!score("discord is back up, finally")->is_outage, "back up is a counter phrase");
	ok(!score("i love spotify")->is_outage, "praise is not an outage");
	score_h("whatsapp caído otra vez", "es", NULL);
	ok(s.is_outage, "Spanish caído");
	score_h("whatsapp funktioniert nicht", "de", NULL);
	ok(s.is_outage, "German funktioniert nicht");
	score_h("LINEが落ちてる", "ja", NULL);
	ok(s.is_outage, "Japanese 落ちてる by substring");
	score_h("LINE落ちてないよ", "ja", NULL);
	ok(!s.is_outage, "Japanese 落ちてない is not a report");
	ok(score("spotify is down")->nterms > 0, "terms list the evidence");
	ok(s.outage > 0.5 && s.outage <= 1.0, "outage score is a probability above 0.5 for a report");
	ok(score("nice weather")->outage < 0.5, "outage score below 0.5 otherwise");

	/* services */
	{
		/* one service named (1) or not (0) in each text */
		static const struct {
			const char *text, *service;
			int named;
			const char *why;
		} names[] = {
			{ "#SpotifyDown again", "spotify", 1, "service from a camel-case hashtag" },
			{ "@SpotifyCares my playlists are gone", "spotify", 1, "service from a handle" },
			{ "open.spotify.com will not load", "spotify", 1, "service from a sub-domain" },
			{ "X is down again", "x", 1, "case-sensitive alias matches its case" },
			{ "i got 2 x 3 points", "x", 0, "lower-case x is not the service" },
			{ "ZOOM IS DOWN", "zoom", 1, "case+report name in capitals before outage wording" },
			{ "can't log in to slack", "slack", 1, "case+report name one word after outage wording" },
			{ "zoom audio not working", "zoom", 1, "case+report name before a feature and outage wording" },
			{ "orange juice not working as a cure", "orange", 0,
			  "case+report name before a word that is no feature is not the service" },
			{ "zoom in on the map", "zoom", 0, "case+report name in lower case without outage wording is the word" },
			{ "steam. down the road there is a pub", "steam", 0,
			  "case+report name in another sentence than the outage wording" },
			{ "x is down again", "x", 0,
			  "a case name without +report stays case-sensitive next to outage wording" },
		};
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			score(names[i].text);
			is_int(has_service(names[i].service), names[i].named, "%s", names[i].why);
		}
	}
	score("insta and yt both down");
	ok(has_service("instagram") && has_service("youtube"), "nicknames");
	score("is zoom down??");
	ok(has_service("zoom") && s.is_outage, "case+report name in lower case before outage wording");
	score("letting off some steam down at the pub");
	ok(!has_service("steam") && !s.is_outage, "case+report name after 'some' is the common word");

	/* features only with an outage */
	score("spotify down, can't log in and songs won't play");
	ok(has_feature(OC_FEAT_LOGIN) && has_feature(OC_FEAT_PLAYBACK), "login and playback features");
	score("i love my spotify playlists");
	is_int(s.features, 0, "no features without an outage");
	score("the spotify app keeps crashing, is it down?");
	is_int(s.features, 1u << OC_FEAT_APP, "the app as a whole: app");
	score("spotify down? the app won't let me log in");
	is_int(s.features, 1u << OC_FEAT_LOGIN, "app is the catch-all: a named feature replaces it");

	/* region */
	score("spotify down in seattle?");
	is_str(s.country, "US", "city → country");
	is_int(s.region, OC_REGION_NORTH_AMERICA, "country → region");
	is_int(s.region_source, OC_RSRC_TEXT, "region from text");
	score("\xF0\x9F\x87\xA7\xF0\x9F\x87\xB7 whatsapp caiu");
	is_str(s.country, "BR", "flag emoji → country");
	score_h("spotify down in seattle", NULL, "GB");
	is_str(s.country, "GB", "given country wins over text");
	is_int(s.region_source, OC_RSRC_GIVEN, "region source given");
	score_h("spotify down", "ja", NULL);
	is_int(s.region, OC_REGION_UNKNOWN, "language alone locates nothing without --priors");
	memset(&h, 0, sizeof(h));
	h.lang = "ja";
	h.priors = 1;
	oc_score_text(&sc, "spotify down", 12, &h, &s);
	is_int(s.region, OC_REGION_ASIA, "with priors, Japanese → asia");
	is_int(s.region_source, OC_RSRC_LANG, "region source lang");
	h.lang = "en";
	h.created_at = "2026-03-08T14:05:00+05:30";
	oc_score_text(&sc, "spotify down", 12, &h, &s);
	is_int(s.region_source, OC_RSRC_TZ, "with priors, +05:30 → tz");
	is_str(s.country, "IN", "+05:30 is India");
	h.lang = "es";
	h.created_at = NULL;
	oc_score_text(&sc, "spotify down", 12, &h, &s);
	is_int(s.region, OC_REGION_UNKNOWN, "Spanish is a world language: no prior");
	{
		static const struct {
			const char *text, *country, *why;
		} places[] = {
			{ "whatsapp down in Paris, Texas", "US",
			  "'Paris, Texas': a city named with a state of another country is in that one" },
			{ "spotify down in London Ontario", "CA", "'London Ontario' is in Canada" },
			{ "netflix down in Paris, Tokyo too", "FR", "a city followed by another city keeps its country" },
			{ "is discord down in turkey", "TR", "'in turkey' written in lower case is the country" },
			{ "Chase app down for me in Jersey", "", "'Jersey' alone is too ambiguous (New Jersey, the island)" },
			{ "Nice app, works great", "", "'Nice' at the start of a sentence... is still a city?" },
		};
		size_t i;

		for (i = 0; i < sizeof(places) / sizeof(places[0]); i++)
			is_str(score(places[i].text)->country, places[i].country, "%s", places[i].why);
	}

	/* --explain: every lexicon entry and rule that moved a score, by how much */
	sc.explain = 1;
	score("it is not very good");
	ok(explained("sentiment", "good", "sentiment lexicon", NULL) == 1 &&
		   explained("sentiment", "good", "booster (very)", NULL) == 1 &&
		   explained("sentiment", "good", "negation (not)", NULL) == 1 && sentiment_adds_up(),
	   "explain: lexicon value, booster and negation each listed, adding up to compound");
	score("it is good but the music is AMAZING");
	ok(explained("sentiment", "good", "before a contrast word, x0.5 (but)", NULL) == 1 &&
		   explained("sentiment", "amazing", "after a contrast word, x1.5 (but)", NULL) == 1 &&
		   explained("sentiment", "amazing", "in capitals", NULL) == 1 && sentiment_adds_up(),
	   "explain: contrast and capitals listed, adding up to compound");
	score("never so happy, at least not the least fun");
	ok(explained("sentiment", "happy", "'never so/this' emphasis (never)", NULL) == 1 &&
		   explained("sentiment", "fun", "negation (least)", NULL) == 1 && sentiment_adds_up(),
	   "explain: 'never so' and 'least' listed, adding up to compound");
	score("great, spotify is down again \xF0\x9F\x98\xA1!!");
	ok(explained("sentiment", "great", "praise in an outage report", NULL) == 1 &&
		   explained("sentiment", NULL, "emoji.tsv", NULL) == 1 &&
		   explained("sentiment", "!?", "punctuation emphasis", NULL) == 1 && sentiment_adds_up(),
	   "explain: irony, emoji and punctuation listed, adding up to compound");
	score("freestyle friday!!!");
	ok(explained("sentiment", "!", "exclamation without sentiment words", NULL) == 1 && sentiment_adds_up(),
	   "explain: exclamations alone listed, adding up to compound");
	score("the weather");
	ok(explained("sentiment", NULL, "", NULL) == 0 && s.compound == 0, "explain: nothing listed without evidence");
	score("spotify app keeps crashing and songs won't play");
	ok(explained("feature", "won't play", "playback", NULL) == 1 &&
		   explained("feature", "app", "not reported: a more specific feature is named", NULL) == 1 &&
		   s.features == 1u << OC_FEAT_PLAYBACK,
	   "explain: a feature not reported is listed with the reason");
	score("i love the spotify app");
	ok(explained("feature", "app", "not reported: the post is not an outage report", NULL) == 1 && s.features == 0,
	   "explain: features of a post that reports no outage are listed as not reported");
	{
		double evidence;

		score("spotify isn't down for me, is discord down?");
		ok(explained("outage", "isn't down", "outage lexicon", &evidence) == 1 &&
			   explained("outage", "down", "outage lexicon", NULL) == 1 &&
			   (evidence >= 1) == s.is_outage && evidence < 1,
		   "explain: outage values add up to the evidence that decides is_outage");
	}
	sc.explain = 0;

	/* malformed input never stops scoring */
	score("\xFF\xFE\xC0\xAF spotify down \xED\xA0\x80");
	ok(s.is_outage, "invalid UTF-8 is scored, not dropped");
	/* English stems of words near the stack buffer's 64 bytes (found by fuzz_score) */
	score("spotify down 222222222222222000000000000000000000000000000000089153sings hates");
	ok(s.is_outage && s.compound < 0, "a 66-byte word with a suffix is stemmed safely");
	score("spotify down 2222222222222222222222222222222222222222222222222222222222222222loved");
	ok(s.is_outage, "a 69-byte word with a suffix is stemmed safely");

	oc_score_release(&s);
	oc_scorer_release(&sc);
	oc_lexicon_release(&lx);
	return tap_done();
}
