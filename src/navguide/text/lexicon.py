"""General Swedish and English words the matcher treats specially.

Only function words, texting shorthand, words about the knowledge format's own
fields (hours, address, start, distance, the school forms of `category`) and
words about studying and about whom a question is for. Nothing here names a
subject, a place or an entry: those come from the knowledge files.
"""

from __future__ import annotations

STOP_SV = frozenset("""
a alla allt alltså andra annan annat att av bara blir bli blev både då dem den denna
dess dessa det detta dig din dina dit ditt du där efter eftersom ej eller elr en ett
fast finns från får få fått för förra genom gjorde gå går göra gör ha
hade han har hej hon hur här i idag igen in inga inget inte ja jag kan kanske kommer
kunna kunde man med mej men mig min mina mitt mot mycket måste ne nej ni nog nu när nån
nåt någon något några och okej om oss på sa sen sedan sig sin sina sitt ska skulle
som så till tack tror under upp ut utan vad var vara vart vem vi vid vilka vilken
vill visst väl är åt än ännu även också ju dom de dej e o ngn ngt nånting nått mkt me
va vems hallå hejsan tja typ liksom alls redan ens egentligen bra gärna
icke henne hans honom hennes över själv varit ingen deras samma er sådan vår blivit inom
mellan sånt varför varje vilket sådana vars vårt våra ert era vilkas innebär betyder
funkar fungerar gäller tar sådant nånstans nåt annars iallafall därifrån hit
åka åker åkte komma se ser säga säger veta vet tycker tycka känner känna behöver behöva
brukar borde verkar ges erbjuds länet länets
""".split())

STOP_EN = frozenset("""
a about am an and any anyone are as at be been being but by can could did do does doing
for from get got had has have hello hi how i i'm if im in is it its just me my need of on
or please should so some someone tell than thanks that the their them then there these
they this those to too us was we were what whats when where which who why will with would
you your hey dont don't cant can't there's want wants like really also yes no not only
offer offers offered available exist exists give given take taken get getting
myself our ours ourselves yours yourself he him his himself she her hers herself itself
theirs themselves whom because until while against between into through during before
after above below up down out off over under again further once all both each few more
most other such nor own same very now become becoming became hard lot lots much many
still even already maybe something anything everything somebody anybody everybody thing
things way okay guess know think one ones
""".split())

# Texting shorthand that carries no meaning for matching.
STOP_SHORT = frozenset("asså iaf btw pls plz ok okey".split())

PREPOSITIONS = frozenset(
    "i på från till utanför nära kring runt vid mot in at near from around of".split()
)

# "Jag bor i Svenstavik": the place the learner lives in, whatever else they name.
RESIDENCE = frozenset("bor bott bosatt boende flyttat flyttade live lives living moved".split())

# Words that point back to the previous answer ("är den på distans?").
ANAPHORA = frozenset("den det där dit de dem dom denna detta dess ni it there them that this "
                     "they those its".split())

# Words that open a follow-up ("och i Åre då?", "what about ...").
FOLLOWUP_OPENERS = frozenset("och också okej ok and also what about".split())

# Intents tied to fields of the knowledge format.
WHERE = frozenset("var vart ligger närmaste närmast närheten nära adress adressen "
                  "where nearest near close closest address located".split())
# "Can I train here?": the learner means the municipality the widget is on.
HERE = frozenset("här hit here".split())
HOURS = frozenset("öppettider öppet öppen öppna tider stänger stängt helger lördag lördagar "
                  "söndag söndagar open opening hours closed weekend weekends "
                  "saturday saturdays sunday sundays".split())
START = frozenset("när börjar börja startar start startdatum nästa starts begin begins "
                  "when next".split())
DISTANCE = frozenset("distans distansen hemifrån online nätet internet remote remotely "
                     "distance".split())
LISTING = frozenset("vilka vilken which orter kommuner någonstans anywhere where var "
                    "alla finns list".split())
# Words that ask for several at once, not where one thing is.
MANY = frozenset("vilka vilken which orter kommuner någonstans nånstans anywhere "
                 "alla länet länets county".split())
# Words for the knowledge's `courses` as such, whatever their subject.
COURSE = frozenset("kurs kurser kursen kurserna utbildning utbildningar utbildningen utbilda "
                   "program "
                   "programmet programmen linje linjen course courses programme programmes "
                   "program programs class classes training".split())
# Words that ask for education itself: a course answers only a message that
# asks to study, names a school form or the course ("kan mina barn få plats på
# förskola?" shares words with a preschool teacher programme, yet asks no course).
STUDY = COURSE | frozenset("""
läsa läser läst plugga pluggar pluggat studera studerar studerat studier studie studiet
student studenter elev elever utbildad utbilda utbildar lära lär lärde
lektion lektioner undervisning behörighet behörig antagning ansökan
komvux sfi yh yrkeshögskola yrkesvux folkhögskola högskola högskolan universitet universitetet
study studies studying studied student students learn learning lesson lessons
education educated university college eligible eligibility admission
""".split())
# "Hur blir man elektriker?", "I want to work as a nurse": a trade asked for is
# education asked for ("blir det snö?" is not: see query.py).
BECOME = frozenset("""
bli blir blev blivit jobba jobbar jobbat arbeta arbetar arbetat yrke yrket yrken omskola
omskolning become becoming work working job career profession trade retrain
""".split())
# Someone else the learner may ask for: a question about a child's school is not
# adult education (see scope.py).
KIN = frozenset("""
barn barnet barnen barnens son sonen söner sönerna dotter dottern döttrar döttrarna
tvilling tvillingar tonåring tonåringen
child children kid kids son sons daughter daughters toddler teenager twins
""".split())
# An age: "en son på 4 år", "16 år gammal", "2 years old" ...
AGE_UNITS = frozenset("år års gammal gamla year years yr yrs yo old".split())
AGE_PREPOSITIONS = frozenset("på of".split())
# ... or a number after these ("min dotter är 16", "my son is 16").
AGE_VERBS = frozenset("är blir fyller fyllde is am m turns turned aged".split())  # "m": "I'm"
NUMBER_WORDS = {
    w: n for n, group in enumerate([
        "noll zero", "ett en one", "två two", "tre three", "fyra four", "fem five",
        "sex six", "sju seven", "åtta eight", "nio nine", "tio ten", "elva eleven",
        "tolv twelve", "tretton thirteen", "fjorton fourteen", "femton fifteen",
        "sexton sixteen", "sjutton seventeen",
    ]) for w in group.split()
}
# The learner speaking of themselves: "jag vill plugga" asks for the learner, even
# with a child's age in the message ("jag har två barn, 3 och 5 år").
FIRST_PERSON = {"sv": frozenset("jag mig mej ja".split()), "en": frozenset("i me".split())}
# A job or a wage asked for (see scope.py): "lediga jobb", "jobs open", "vikarier",
# "timlön", "vad tjänar en ...".
JOB = frozenset("jobb jobbet jobben tjänst tjänster tjänsten job jobs position positions".split())
VACANT = frozenset("ledig lediga ledigt open opening openings".split())
STAFFING = frozenset("vikarie vikarier vikariat vikariatet vacancy vacancies hiring".split())
SALARY = frozenset("""
lön lönen löner timlön timlönen månadslön ingångslön salary salaries wage wages
""".split())
EARN = frozenset("tjänar tjäna tjänat earn earns earning".split())
CONTACT = frozenset("kontakt kontakta ringa ring telefon mejl mail mejla epost e-post "
                    "contact phone call email".split())


def _folded(words: frozenset[str]) -> frozenset[str]:
    table = str.maketrans("åäö", "aao")
    return frozenset(w.translate(table) for w in words)


# Learners often type without å/ä/ö: "fran", "nar", "ar" are stop words too.
_ALL = STOP_SV | STOP_EN | STOP_SHORT | RESIDENCE
STOP_SV_FOLDED = _folded(STOP_SV)
_ALL_FOLDED = _ALL | STOP_SV_FOLDED


def is_stop(word: str) -> bool:
    return word in _ALL_FOLDED
