"""Write sheets_sync/data/calendar.xlsx: a realistic content calendar of a Turkish social-media agency.

Two clients from config/example.toml share one "Calendar" tab:

* **Kahve Durağı** — a coffee chain in Istanbul; Turkish captions, Turkish status spellings;
* **Nordic Trails** — an outdoor brand, client in Germany; English captions and statuses.

About seventy posts over March and April 2026. Audited as of Tuesday 2026-03-10 09:00
(Europe/Istanbul) with config/example.toml, most rows are clean and a handful carry exactly
one or two deliberate problems, so that every finding code the tool knows appears at least
once (except ``changed-after-approval``, ``no-id-column`` and ``duplicate-column``, which
need history or a different header row). ``next-month-not-ready`` only fires from the 20th
of the month: audit as of 2026-03-23 to see it. Run ``samples/check_sample.py`` to check.

Each row with a planted problem says so in its ``planted=`` argument below; running the
script prints those rows with their sheet row numbers.

The script is deterministic: no randomness, and the workbook's zip timestamps and document
properties are fixed, so running it twice writes byte-identical files.

Run from the repository root::

    /work/venv/bin/python samples/make_sample.py
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

OUT = Path(__file__).resolve().parents[1] / "sheets_sync" / "data" / "calendar.xlsx"
FIXED_STAMP = (2026, 3, 1, 9, 0, 0)  # zip entry time, so the file is byte-reproducible
FIXED_ISO = "2026-03-01T06:00:00Z"  # docProps created/modified

KD, NT = "Kahve Durağı", "Nordic Trails"

HEADERS = [
    "ID", "Client", "Channel", "Format", "Publish date", "Publish time", "Pillar", "Caption",
    "Asset", "Owner", "Status", "Sent for review", "Feedback due", "Approved by",
    "Approved on", "Approved", "Revision round", "Extra rounds", "Feedback", "Notes",
]
WIDTHS = {
    "ID": 9, "Client": 15, "Channel": 11, "Format": 11, "Publish date": 12,
    "Publish time": 11, "Pillar": 12, "Caption": 60, "Asset": 42, "Owner": 15, "Status": 18,
    "Sent for review": 14, "Feedback due": 13, "Approved by": 15, "Approved on": 13,
    "Approved": 10, "Revision round": 10, "Extra rounds": 9, "Feedback": 36, "Notes": 36,
}
DATE_COLUMNS = ("Publish date", "Sent for review", "Feedback due", "Approved on")
WRAP_COLUMNS = ("Caption", "Feedback", "Notes")

def d(day: int, month: int = 3) -> dt.date:
    return dt.date(2026, month, day)


def post(pid, client, channel, fmt, date, time, pillar, caption, asset, owner, status, *,
         sent=None, due=None, by=None, on=None, ok=None, rounds=None, extra=None,
         feedback=None, notes=None, planted=None):
    """One calendar row, as a dict keyed by header (``planted`` describes a deliberate
    problem; it is not written to the sheet)."""
    return {
        "ID": pid, "Client": client, "Channel": channel, "Format": fmt, "Publish date": date,
        "Publish time": time, "Pillar": pillar, "Caption": caption, "Asset": asset,
        "Owner": owner, "Status": status, "Sent for review": sent, "Feedback due": due,
        "Approved by": by, "Approved on": on, "Approved": ok, "Revision round": rounds,
        "Extra rounds": extra, "Feedback": feedback, "Notes": notes, "_planted": planted,
    }


DRIVE = "https://drive.google.com/file/d/{}/view"
THIRTY_TWO_TAGS = " ".join(
    "#" + t for t in (
        "kahvedurağı", "bahar", "baharmenüsü", "yenisezon", "kahve", "kahvekeyfi", "latte",
        "soğukkahve", "icedlatte", "istanbul", "kadıköy", "beşiktaş", "moda", "kahvemolası",
        "coffee", "coffeetime", "coffeelover", "istanbulcafe", "kafe", "tatlı", "çilek",
        "çileklilatte", "kampanya", "indirim", "fırsat", "yeni", "lezzet", "günaydın",
        "instacoffee", "kahvesever", "baharkeyfi", "şehirdebahar",
    )
)
LONG_X = (
    "New drop alert 🏔️ Our Fjell 2 shell is finally here: 3-layer recycled membrane, "
    "pit zips, a hood that actually fits over a helmet, and pockets you can reach with a "
    "hip belt on. We tested it for two winters in Lofoten, the Harz and the Alps, in rain "
    "that came in sideways. Available from Tuesday in all stores and online. "
    "#NordicTrails #Fjell2 #Hiking"
)
RECYCLED_TIP = (
    "Trail tip: pack layers, not weight. 🧥⛰️\n"
    "What's the one item you never hike without?\n"
    "#NordicTrails #HikingTips"
)


def kahve_durag() -> list[dict]:
    """Kahve Durağı: Instagram 3 a week and LinkedIn 1 a week (contract), Turkish copy."""
    k = KD
    return [
        # --- week of 2 March: published ------------------------------------------------
        post("KD-001", k, "Instagram", "Post", d(2), "10:00", "Value",
             "Pazartesi sendromuna karşı tek reçete: çifte shot espresso ☕️\n"
             "Sizin pazartesi kahveniz hangisi?\n#kahvedurağı #pazartesi #espresso",
             DRIVE.format("1kD001espressoPzt"), "Zeynep Arslan", "Yayınlandı",
             sent=d(24, 2), by="Elif Yılmaz", on=d(26, 2), ok="Evet", rounds=0),
        post("KD-002", k, "Instagram", "Reel", d(4), "18:30", "Shareable",
             "Barista Oğuz'dan 15 saniyede latte art 🎨🥛\nKaydet, evde dene, bizi etiketle!\n"
             "#latteart #barista #kahvedurağı",
             "KD_0304_latte_art_reel.mp4", "Can Öztürk", "Yayınlandı",
             sent=d(26, 2), by="Murat Kaya", on=d(2), ok="Evet", rounds=1),
        post("KD-003", k, "LinkedIn", "Post", d(5), "09:30", "Value",
             "Kahve Durağı olarak 2025'te 4 ton kahve telvesini geri dönüştürdük. ♻️\n"
             "Sürdürülebilirlik raporumuzun özeti ekte.\n#sürdürülebilirlik #kahve",
             DRIVE.format("1kD003telveRapor"), "İrem Şahin", "Published",
             sent=d(27, 2), by="Elif Yılmaz", on=d(3), ok="Evet", rounds=0),
        post("KD-004", k, "Instagram", "Carousel", d(6), "12:00", "Value",
             "Filtre kahve mi, French press mi? 🤔\nKaydır, farkları tek tek anlattık 👉\n"
             "#demleme #filtrekahve #frenchpress",
             "KD_0306_demleme_carousel.pdf", "Zeynep Arslan", "Yayınlandı",
             sent=d(2), by="Elif Yılmaz", on=d(4), ok="Evet", rounds=1),
        post("KD-036", k, "Instagram", "Story", d(7), "11:00", "Promotion",
             "Cumartesi 2. kahve %50 indirimli! ☕️☕️",
             "KD_0307_story_indirim.png", "Can Öztürk", "İptal",
             notes="Müşteri kampanyayı erteledi (Murat Bey, 05.03)."),
        post("KD-005", k, "Instagram", "Story", d(8), "10:00", "Shareable",
             "8 Mart Dünya Kadınlar Günü kutlu olsun 💐\n"
             "Bugün tüm kadın misafirlerimize kurabiye bizden 🍪",
             "KD_0308_8mart_story.png", "İrem Şahin", "Paylaşıldı",
             sent=d(4), by="Murat Kaya", on=d(5), ok="Evet", rounds=0),
        # --- week of 9 March ------------------------------------------------------------
        post("KD-006", k, "Instagram", "Post", d(9), "18:00", "Value",
             "Yağmurlu İstanbul akşamlarına salep yakışır ☔️🤍\n"
             "Tarçını bol, sohbeti uzun olsun.\n#salep #istanbul #kahvedurağı",
             DRIVE.format("1kD006salepAksam"), "Zeynep Arslan", "Zamanlandı",
             sent=d(3), by="Ahmet Demir", on=d(5), ok="Evet", rounds=0,
             notes="Ahmet Bey mağaza müdürü, onayı telefonda verdi.",
             planted="stale-unpublished (scheduled 09.03 18:00, never marked published) + "
                     "approver-not-authorized (Ahmet Demir)"),
        post("KD-007", k, "Instagram", "Reel", d(10), "19:00", "Value",
             "Kadıköy şubemizde yeni kavurma makinemiz çalışmaya başladı 🔥\n"
             "Kokusu sokağa taştı bile.\n#kadıköy #kavurma #taze",
             "KD_0310_kavurma_reel.mp4", "Can Öztürk", "Zamanlandı",
             sent=d(4), by="Murat Kaya", on=d(6), ok="Evet", rounds=1),
        post("KD-008", k, "Instagram", "Carousel", d(11), "12:30", "Value",
             "Türk kahvesi nasıl pişirilir? 5 adımda köpüklü fincan ☕️\n"
             "1️⃣ Soğuk su 2️⃣ Kısık ateş 3️⃣ Acele yok…\n#türkkahvesi #tarif",
             "KD_0311_turk_kahvesi_carousel.pdf", "Zeynep Arslan", "Müşteri onayında",
             sent=d(3), ok="Hayır", rounds=0,
             notes="Elif Hanım'a 05.03 ve 09.03'te hatırlatıldı.",
             planted="approval-missing (publishes tomorrow, not approved) + "
                     "feedback-overdue (escalated: in review since 03.03)"),
        post("KD-009", k, "LinkedIn", "Article", d(12), "10:00", "Value",
             "Bir kahve zincirinde çalışmak: baristalarımızın kariyer yolculuğu 👩‍🍳👨‍🍳\n"
             "Akademimizden mezun olan 120 barista bugün ekibimizde.\n#işilanı #kariyer",
             DRIVE.format("1kD009akademiMakale"), "İrem Şahin", "Onaylandı",
             sent=d(5), by="Elif Yılmaz", on=d(9), ok="Evet", rounds=1),
        post("KD-010", k, "Instagram", "Post", d(13), "17:00", "Promotion",
             "Cuma kahvesi bizden! 🎉 Uygulamadan sipariş veren herkese 2. kahve hediye.\n"
             "#cuma #kampanya #kahvedurağı",
             "KD_0313_cuma_kampanya.jpg", "Can Öztürk", "Scheduled",
             sent=d(9), ok="Hayır", rounds=0,
             notes="Meta'da kuyruğa alındı, onay bekleniyor.",
             planted="scheduled-without-approval"),
        post("KD-011", k, "Instagram", "Story", d(14), "11:00", "Value",
             "Sahne arkası: sabah 6'da ilk demleme ☀️☕️",
             "KD_0314_sahne_arkasi_story.mp4", "İrem Şahin", "Onaylandı",
             sent=d(6), by="Murat Kaya", on=d(9), ok="Evet", rounds=0),
        # --- week of 16 March (Ramazan Bayramı 20–22 March) -----------------------------
        post("KD-012", k, "Instagram", "Post", d(16), "10:00", "Value",
             "Yeni çekirdeğimiz Etiyopya Yirgacheffe 🇪🇹\n"
             "Çiçeksi, narenciye notalı, hafif gövdeli. Filtrede deneyin!\n"
             "#yirgacheffe #nitelikli kahve",
             DRIVE.format("1kD012yirgacheffe"), "Zeynep Arslan", "With client",
             sent=d(9), rounds=2,
             feedback="2. tur: logo biraz daha büyük olsun, arka plan açık renk.",
             planted="revision-last-round (2 of 2 included rounds used, back with client)"),
        post("KD-013", k, "Instagram", "Reel", d(17), "19:00", "Value",
             "Soğuk demleme 12 saat sürer, içmesi 12 saniye 🧊⏱️\n#coldbrew #soğukkahve",
             "KD_0317_coldbrew_reel_v5.mp4", "Can Öztürk", "Revize",
             sent=d(2), rounds=4, extra=1,
             feedback="Müzik yine olmadı, daha sakin bir şey. Son kare de değişsin.",
             notes="Ek 1 tur Selin onayıyla faturalandı; 4. tur için onay yok.",
             planted="revision-limit-exceeded (4 rounds, 2 included + 1 extra)"),
        post("KD-014", k, "Instagram", "Carousel", d(18), "12:00", "Shareable",
             "Hangi kahve tipisin? ☕️ Kaydır, kendini bul, arkadaşını etiketle 😄\n"
             "#kahvetesti #eğlence",
             "KD_0318_kahve_tipi_carousel.pdf", "İrem Şahin", "Onay bekleniyor",
             sent=d(9), rounds=0,
             planted="unknown-status ('Onay bekleniyor', meant 'Onay bekliyor')"),
        post("KD-015", k, "Instagram", "Reel", d(19), "18:00", "Value",
             "Bayram öncesi son mesai: baristalarımızdan kısa bir teşekkür 🙏✨\n"
             "#bayram #teşekkürler",
             None, "Can Öztürk", "Onayda",
             sent=d(9), rounds=0,
             notes="Video çekimi 12.03'te, link sonra eklenecek.",
             planted="missing-required (Asset empty while with the client)"),
        post("KD-016", k, "Instagram", "Post", d(20), "10:00", "Value",
             "Ramazan Bayramınız mübarek olsun 🌙✨\n"
             "Sevdiklerinizle, bol şekerli ve bol kahveli nice bayramlara.\n"
             "#ramazanbayramı #bayram #kahvedurağı",
             DRIVE.format("1kD016bayramPost"), "Zeynep Arslan", "Taslak",
             planted="duplicate-id (KD-016 also on the story row below)"),
        post("KD-016", k, "Instagram", "Story", d(20), "10:30", "Value",
             "İyi bayramlar! 🌙 Bayram boyunca tüm şubelerimiz açık 🕙",
             "KD_0320_bayram_story.png", "Zeynep Arslan", "Taslak",
             notes="Post satırından kopyalandı.",
             planted="duplicate-id (copied row kept the post's ID)"),
        # --- week of 23 March -------------------------------------------------------------
        post("KD-017", k, "Instagram", "Post", d(23), "10:00", "Value",
             "Bayram sonrası enerjiye ihtiyacı olan? 🙋‍♀️ Double shot cortado burada.\n"
             "#cortado #pazartesi",
             DRIVE.format("1kD017cortado"), "Zeynep Arslan", "Taslak"),
        post("KD-018", k, "Instagram", "Reel", d(25), "18:00", "Shareable",
             "Kahve falına bakan baristamız 😂☕️ Sonuna kadar izleyin!\n#kahvefalı #komik",
             "KD_0325_kahve_fali_reel.mp4", "Can Öztürk", "İç onay", rounds=0),
        post("KD-019", k, "LinkedIn", "Post", d(26), "10:00", "Value",
             "İstanbul'da 12. şubemizi açıyoruz: Ataşehir 📍\n"
             "25 yeni meslektaşımızı aramıza katmak için sabırsızlanıyoruz.\n#kariyer #ataşehir",
             DRIVE.format("1kD019atasehir"), "İrem Şahin", "Taslak"),
        post("KD-020", k, "Instagram", "Carousel", d(27), "12:00", "Promotion",
             "Sadakat kartı yenilendi 💳 Her 8 kahvede 1 kahve bizden!\n"
             "Detaylar karuselde 👉\n#sadakat #kahvedurağı",
             "KD_0327_sadakat_carousel.pdf", "Zeynep Arslan", "Hazırlanıyor"),
        post("KD-021", k, "Instagarm", "Story", d(28), "11:00", "Shareable",
             "Hafta sonu anketi: sütlü mü sade mi? 🥛☕️",
             "KD_0328_anket_story.png", "İrem Şahin", "Taslak",
             planted="unknown-channel ('Instagarm')"),
        post("KD-022", k, "Instagram", "Post", d(30), "10:00", "Value",
             "Çekirdekten fincana: tedarikçimiz Kolombiyalı çiftçi Ana ile tanışın 🌱☕️\n"
             "#doğrudanticaret #kolombiya",
             DRIVE.format("1kD022kolombiya"), "Zeynep Arslan", "Fikir"),
        # --- April: spring menu campaign (too promotional: pillar mix off target) -------
        post("KD-023", k, "Instagram", "Reel", d(1, 4), "18:00", "Shareable",
             "1 Nisan şakası değil: tuzlu karamelli latte geri döndü! 🧂🍮\n#1nisan #latte",
             "KD_0401_tuzlu_karamel_reel.mp4", "Can Öztürk", "Taslak"),
        post("KD-024", k, "LinkedIn", "Article", d(2, 4), "10:00", "Value",
             "Nitelikli kahve pazarı Türkiye'de nereye gidiyor? Kurucumuzun değerlendirmesi 📈",
             DRIVE.format("1kD024pazarMakale"), "İrem Şahin", "Fikir"),
        post("KD-025", k, "Instagram", "Carousel", d(3, 4), "12:00", "Promo",
             "🌸 Bahar menüsü geliyor! Çilekli latte, lavantalı soğuk kahve ve daha fazlası…\n"
             "6 Nisan'da tüm şubelerde 🍓💜\n" + THIRTY_TWO_TAGS,
             "KD_0403_bahar_menusu_teaser.pdf", "Can Öztürk", "Taslak",
             planted="too-many-hashtags (32 on Instagram) + unknown-pillar ('Promo')"),
        post("KD-026", k, "Instagram", "Post", d(6, 4), "10:00", "Promotion",
             "Bahar menüsü bugün tüm şubelerde! 🌸🍓\nİlk gün çilekli latte 1 alana 1 bedava.\n"
             "#baharmenüsü #kahvedurağı",
             DRIVE.format("1kD026baharLansman"), "Zeynep Arslan", "Fikir"),
        post("KD-027", k, "Instagram", "Reel", d(8, 4), "25:70", "Value",
             "Lavantalı soğuk kahve nasıl hazırlanıyor? 💜🧊 Barista Oğuz anlatıyor.\n"
             "#lavanta #soğukkahve",
             "www.canva.com/design/DAGk27Lavanta/edit", "Can Öztürk", "Taslak",
             planted="invalid-time ('25:70') + invalid-link (no https://)"),
        post("KD-028", k, "LinkedIn", "Post", d(9, 4), "10:00", "Value",
             "Bahar menümüzün arkasındaki Ar-Ge ekibimizle tanışın 🧪☕️",
             DRIVE.format("1kD028arge"), "İrem Şahin", "Fikir"),
        post("KD-029", k, "Instagram", "Carousel", d(10, 4), "12:00", "Promotion",
             "Bahar menüsünde favorin hangisi? 🍓💜🍋 Yorumlara yaz, haftanın kazananına "
             "1 haftalık kahve bizden!\n#çekiliş #baharmenüsü",
             "KD_0410_cekilis_carousel.pdf", "Zeynep Arslan", "Fikir"),
        post("KD-030", k, "Instagram", "Post", d(13, 4), "10:00", "Value",
             "Evde espresso için 3 altın kural ☕️📏\n#espresso #ipucu",
             DRIVE.format("1kD030espressoKural"), "Zeynep Arslan", "Fikir"),
        post("KD-031", k, "Instagram", "Reel", d(15, 4), "18:00", "Shareable",
             "Şubelerimizin en sevilen köpeği Kahve ile bir gün 🐶☕️\n#kahveköpeği",
             "KD_0415_kopek_reel.mp4", "Can Öztürk", "Fikir"),
        post("KD-032", k, "Instagram", "Post", d(20, 4), "10:00", "Promotion",
             "Bahar menüsünde son hafta! 🌸 Kaçırmayın.\n#baharmenüsü",
             DRIVE.format("1kD032sonHafta"), "Zeynep Arslan", "Fikir"),
        post("KD-033", k, "Instagram", "Post", d(23, 4), "10:00", "Value",
             "23 Nisan Ulusal Egemenlik ve Çocuk Bayramı kutlu olsun 🇹🇷🎈\n"
             "Bugün çocuklara sıcak çikolata bizden.\n#23nisan #çocukbayramı",
             DRIVE.format("1kD033yirmiUcNisan"), "İrem Şahin", "Fikir"),
    ]


def nordic_trails() -> list[dict]:
    """Nordic Trails: Instagram 2 a week and X 3 a week (contract), English copy."""
    n = NT
    return [
        # --- week of 2 March: published ------------------------------------------------
        post("NT-001", n, "X", "Post", d(2), "9:00 AM", "Inspiration",
             "March means melting snow and muddy boots. 🥾 Who's already back on the trail?\n"
             "#NordicTrails #Spring",
             "NT-001_x.png", "Deniz Kılıç", "Published",
             sent=d(25, 2), by="Jonas Berg", on=d(27, 2), ok="Yes", rounds=0),
        post("NT-002", n, "Instagram", "Carousel", d(3), "6:30 PM", "Gear",
             "5 things that live in our pack all year round 🎒\n"
             "Swipe for the full list (number 4 saved us in Jotunheimen).\n"
             "#NordicTrails #GearGuide #Hiking",
             DRIVE.format("1nT002packList"), "Ece Güneş", "Posted",
             planted="published-without-approval (no approval recorded)"),
        post("NT-003", n, "X", "Thread", d(4), "12:00 PM", "Gear",
             "How to re-proof a rain jacket in 4 steps 🧵👇\n#NordicTrails #GearCare",
             DRIVE.format("1nT003reproofThread"), "Deniz Kılıç", "Published",
             sent=d(26, 2), by="Jonas Berg", on=d(2), ok="Yes", rounds=1),
        post("NT-004", n, "Instagram", "Reel", d(5), "7:00 PM", "Inspiration",
             "Sunrise on Trolltunga, no filter. 🌅🇳🇴\n#NordicTrails #Norway #Trolltunga",
             "NT_0305_trolltunga_reel.mp4", "Ece Güneş", "Published",
             sent=d(27, 2), by="Jonas Berg", on=d(3), ok="Yes", rounds=0),
        post("NT-005", n, "X", "Post", d(6), "9:00 AM", "Community",
             "Weekend plans? Tag a friend you'd share a tent with. ⛺️\n#NordicTrails",
             "NT-005_x.png", "Deniz Kılıç", "Published",
             sent=d(2), by="Jonas Berg", on=d(7), ok="Yes", rounds=0,
             notes="Jonas confirmed by email on Saturday, after it went live.",
             planted="approval-after-publish (approved 07.03, published 06.03)"),
        post("NT-036", n, "Instagram", "Story", d(7), "10:00 AM", "Community",
             "Live Q&A from the Harz today at 3 PM! 🎙️",
             "NT_0307_harz_qa_story.png", "Ece Güneş", "Cancelled",
             notes="Storm warning in the Harz, Q&A moved to April."),
        # --- week of 9 March -------------------------------------------------------------
        post("NT-006", n, "X", "Post", d(9), "9:00 AM", "Gear", RECYCLED_TIP,
             "NT-006_x.png", "Deniz Kılıç", "Published",
             sent=d(4), by="Jonas Berg", on=d(5), ok="Yes", rounds=0),
        post("NT-007", n, "Instagram", "Post", d(11), "6:00 PM", "Inspiration",
             "Frozen waterfalls of the Ötztal 🧊 Still worth the 5 AM start.\n"
             "#NordicTrails #Austria #WinterHiking",
             DRIVE.format("1nT007oetztal"), "Ece Güneş", "Scheduled",
             sent=d(5), by="Jonas Berg", on=d(9), ok="Yes", rounds=1),
        post("NT-008", n, "X", "Post", d(11), "12:00 PM", "Product",
             "Restock: the Fjord 40 backpack is back in all sizes. 🎒\n#NordicTrails",
             "https://www.nordictrails.de/fjord-40", "Deniz Kılıç", "Approved",
             sent=d(5), by="Jonas Berg", on=d(9), ok="Yes", rounds=0),
        post("NT-009", n, "X", "Post", d(13), "9:00 AM", "Community",
             "Friday shout-out 📣 to @lena.walks for 1,000 km on the Rennsteig in our boots!\n"
             "#NordicTrails #Rennsteig",
             "NT-009_x.png", "Deniz Kılıç", "With client",
             sent=d(9), due=d(12), ok="No", rounds=0),
        post("NT-010", n, "Instagram", "Reel", d(14), "10:00 AM", "Gear",
             "Boot fitting 101 with our Berlin store team 👟📏\n#NordicTrails #BootFitting",
             "NT_0314_boot_fitting_reel.mp4", "Ece Güneş", "Approved",
             sent=d(4), by="Jonas Berg", on=d(9), ok="Yes", rounds=1),
        # --- week of 16 March -----------------------------------------------------------
        post("NT-011", n, "X", "Post", d(16), "9:00 AM", "Inspiration",
             "\"The mountains are calling\" – and this time we're answering with a podcast. 🎧\n"
             "Episode 1 out today.\n#NordicTrails #Podcast",
             "NT-011_x.png", "Deniz Kılıç", "Client review",
             sent=d(20, 2), rounds=0,
             planted="deemed-approved (with the client since 20.02, contract: 10 business "
                     "days)"),
        post("NT-012", n, "Instagram", "Carrousel", d(17), "6:30 PM", "Gear",
             "Layering explained: base, mid, shell. 🧦🧥\nSwipe to build your system.\n"
             "#NordicTrails #Layering",
             DRIVE.format("1nT012layering"), "Ece Güneş", "Changes requested",
             sent=d(6), rounds="two",
             feedback="Please use the new product photos for slide 3.",
             planted="unknown-format ('Carrousel') + invalid-number ('two' in Revision round)"),
        post("NT-013", n, "X", "Post", d(18), "12:00 PM", "Product", LONG_X,
             "NT-013_x.png", "Deniz Kılıç", "Draft",
             planted="caption-too-long (X allows 280)"),
        post("NT-014", n, "Instagram", "Post", d(19), "7:00 PM", "Community",
             "Meet the Trail Crew: 12 volunteers, 300 km of paths cleaned last year. 💚\n"
             "#NordicTrails #LeaveNoTrace",
             DRIVE.format("1nT014trailCrew"), "Ece Güneş", "Internal review"),
        post("NT-015", n, "X", "Post", d(20), "9:00 AM", "Gear",
             "Spring checklist: reproof, resole, repack. ✅\n#NordicTrails",
             "NT-015_x.png", "Deniz Kılıç", "Client review", sent=d(9), ok="maybe",
             feedback="Jonas: maybe, need to check the checklist with the store team.",
             planted="invalid-boolean ('maybe' in Approved: until it can be read, the post "
                     "is neither approved nor unapproved)"),
        # --- week of 23 March: Fjell 2 launch day on X ---------------------------------------
        post("NT-016", n, "Instagram", "Reel", d(23), "6:00 PM", "Product",
             "Something new is coming on Tuesday… 👀🏔️\n#NordicTrails #ComingSoon",
             "NT_0323_teaser_reel.mp4", "Ece Güneş", "Draft"),
        post("NT-017", n, "X", "Post", d(24), "8:00 AM", "Product",
             "It's here: the Fjell 2 shell. 🏔️ Recycled, repairable, ready.\n"
             "#NordicTrails #Fjell2",
             "NT-017_x.png", "Deniz Kılıç", "Draft"),
        post("NT-018", n, "X", "Post", d(24), "12:00 PM", "Product",
             "Fjell 2, tested in sideways rain in Lofoten. 🌧️ Watch the test video 👇\n#Fjell2",
             "https://www.youtube.com/watch?v=nT018fjellTest", "Deniz Kılıç", "Draft"),
        post("NT-019", n, "X", "Post", d(24), "5:00 PM", "Product",
             "Launch-day Q&A: ask our designers anything about the Fjell 2. 💬\n#Fjell2",
             "NT-019_x.png", "Deniz Kılıç", "Draft"),
        post("NT-020", n, "X", "Post", d(24), "8:00 PM", "Gear", RECYCLED_TIP,
             "NT-020_x.png", "Deniz Kılıç", "Draft",
             notes="Recycled the 09.03 tip to close launch day.",
             planted="too-many-per-day (4th X post on 24.03) + duplicate-caption (same as "
                     "NT-006 on 09.03)"),
        post("NT-021", n, "Instagram", "Carousel", d(26), "6:30 PM", "Inspiration",
             "Five spring hikes within 2 hours of Munich 🌼\n#NordicTrails #Bavaria",
             DRIVE.format("1nT021munichHikes"), "Ece Güneş", "Idea"),
        # --- week of 30 March (Easter) ------------------------------------------------------
        post("NT-022", n, "X", "Post", d(30), "9:00 AM", "Community",
             "What's your Easter hike this year? Reply with a photo 📸🐣\n#NordicTrails",
             "NT-022_x.png", "Deniz Kılıç", "Idea"),
        post("NT-023", n, "Instagram", "Post", d(1, 4), "6:00 PM", "Inspiration",
             "April showers, April trails. 🌦️\n#NordicTrails",
             DRIVE.format("1nT023aprilShowers"), "Ece Güneş", "Idea"),
        post("NT-024", n, "X", "Post", d(1, 4), "12:00 PM", "Gear",
             "Gaiters: overrated or underrated? 🤔\n#NordicTrails",
             "NT-024_x.png", "Deniz Kılıç", "Idea"),
        post("NT-025", n, "X", "Post", d(2, 4), "9:00 AM", "Community",
             "Our stores are closed on Good Friday and Easter Monday. Happy Easter! 🐣\n"
             "#NordicTrails",
             "NT-025_x.png", "Deniz Kılıç", "Idea"),
        post("NT-026", n, "Instagram", "Reel", d(4, 4), "10:00 AM", "Inspiration",
             "Easter weekend in the Saxon Switzerland 🪨🌿\n#NordicTrails #SächsischeSchweiz",
             "NT_0404_saxon_reel.mp4", "Ece Güneş", "Idea"),
        # --- week of 6 April: X one post short of the contract ------------------------------
        post("NT-027", n, "X", "Post", d(7, 4), "9:00 AM", "Gear",
             "Tent or bivvy? Our gear team settles it. ⛺️ vs 🛌\n#NordicTrails",
             "NT-027_x.png", "Deniz Kılıç", "Idea"),
        post("NT-028", n, "Instagram", "Carousel", d(8, 4), "6:30 PM", "Inspiration",
             "Next stop: the Caucasus. 🏔️ ყაზბეგი (Kazbegi) at sunrise, Gergeti Trinity "
             "Church above the clouds.\nგამარჯობა, Georgia! 🇬🇪\n#NordicTrails #Georgia #Kazbegi",
             DRIVE.format("1nT028kazbegi"), "Ece Güneş", "Idea"),
        post("NT-029", n, "X", "Post", d(9, 4), "12:00 PM", "Community",
             "Trail Crew clean-up day in the Harz: 18 April. Join us! 🧤\n#NordicTrails",
             "NT-029_x.png", "Deniz Kılıç", "Idea"),
        post("NT-030", n, "Instagram", "Post", d(10, 4), "6:00 PM", "Gear",
             "What's in a 24-hour pack? Everything laid out, nothing left out. 🗂️\n"
             "#NordicTrails #Flatlay",
             DRIVE.format("1nT030flatlay"), "Ece Güneş", "Idea"),
        # --- rest of April --------------------------------------------------------------
        post("NT-031", n, "X", "Post", d(14, 4), "9:00 AM", "Product",
             "Fjell 2 now also in 'Fjord blue'. 💙\n#Fjell2",
             "NT-031_x.png", "Deniz Kılıç", "Idea"),
        post("NT-032", n, "Instagram", "Reel", d(16, 4), "6:00 PM", "Community",
             "Harz Q&A, take two 🎙️ (the storm lost this time).\n#NordicTrails",
             "NT_0416_harz_qa_reel.mp4", "Ece Güneş", "On hold",
             notes="Waiting for the store team's dates."),
        post("NT-033", n, "X", "Post", d(21, 4), "9:00 AM", "Gear",
             "Resoling > replacing. Our repair desk fixed 2,400 boots last year. 🔧\n"
             "#NordicTrails #Repair",
             "NT-033_x.png", "Deniz Kılıç", "Idea"),
        post("NT-034", n, "Instagram", "Post", d(24, 4), "6:00 PM", "Inspiration",
             "Lofoten in late April: still snowy peaks, already green valleys. 🏔️🌿\n"
             "#NordicTrails #Lofoten",
             DRIVE.format("1nT034lofoten"), "Ece Güneş", "Idea"),
    ]


def late_additions() -> list[dict]:
    """Rows someone appended at the bottom, out of date order (as happens in real sheets)."""
    return [
        post(None, KD, "LinkedIn", "Post", "31.04.2026", "10:00", "Value",
             "Nisan ayı çalışan hikâyesi: Ataşehir şube müdürümüz Gülşen 🌟",
             None, "İrem Şahin", "Fikir",
             notes="Yeni satır, ID verilecek.",
             planted="missing-id + invalid-date ('31.04.2026': April has 30 days)"),
    ]


NOTES_LINES = [
    "Kahve Durağı & Nordic Trails — içerik takvimi, Mart–Nisan 2026",
    "",
    "Renkler: yeşil = yayınlandı, sarı = müşteride, kırmızı = revize (elle boyuyoruz).",
    "Kahve Durağı onaycılar: Elif Yılmaz (pazarlama), Murat Kaya (marka müdürü).",
    "Nordic Trails approver: Jonas Berg (Head of Brand, Hamburg). Contract: 3 rounds, "
    "feedback within 3 business days.",
    "Bayram haftası (20–22 Mart) LinkedIn paylaşımı yok — müşteriyle konuşuldu.",
    "Görseller: Drive > Müşteriler > <Marka> > 2026-03 / 2026-04",
    "TODO: Nisan'ın ikinci yarısı için Nordic Trails fikir toplantısı (Deniz).",
]


def rows() -> list[dict]:
    """Every calendar row in sheet order: both clients sorted by publish moment, then
    the late additions at the bottom."""
    def key(r: dict) -> tuple:
        t = r["Publish time"]
        h, m = _clock(t) if isinstance(t, str) else (0, 0)
        return (r["Publish date"], h, m, r["Client"])

    return sorted(kahve_durag() + nordic_trails(), key=key) + late_additions()


def _clock(text: str) -> tuple[int, int]:
    m = re.match(r"^(\d{1,2}):(\d{2})\s*([AP]M)?$", text.strip())
    if not m:
        return (99, 99)
    h, mi = int(m.group(1)), int(m.group(2))
    if m.group(3) == "PM" and h < 12:
        h += 12
    if m.group(3) == "AM" and h == 12:
        h = 0
    return h, mi


def build() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Calendar"
    ws.append(HEADERS)
    header_fill = PatternFill("solid", start_color="1F4E78")
    thin = Side(style="thin", color="BFBFBF")
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=thin)
    ws.row_dimensions[1].height = 30
    col = {h: i + 1 for i, h in enumerate(HEADERS)}
    client_fill = {KD: PatternFill("solid", start_color="FBEFE3"),
                   NT: PatternFill("solid", start_color="E3EEF7")}
    for r, data in enumerate(rows(), start=2):
        for h in HEADERS:
            value = data[h]
            cell = ws.cell(row=r, column=col[h])
            if value is None:
                cell.border = Border(bottom=thin)
                continue
            cell.value = value
            if h in DATE_COLUMNS and isinstance(value, dt.date):
                cell.number_format = "dd.mm.yyyy"
            elif isinstance(value, str):
                cell.data_type = "s"  # literal text, never a formula
            cell.alignment = Alignment(vertical="top", wrap_text=h in WRAP_COLUMNS)
            cell.border = Border(bottom=thin)
        ws.cell(row=r, column=col["Client"]).fill = client_fill[data["Client"]]
    for h, width in WIDTHS.items():
        ws.column_dimensions[get_column_letter(col[h])].width = width
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{ws.max_row}"
    ws.sheet_view.zoomScale = 90

    notes = wb.create_sheet("Notes")
    for line in NOTES_LINES:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=12)
    notes.column_dimensions["A"].width = 110

    wb.properties.creator = "Ajans Kuzey — içerik ekibi"
    wb.properties.title = "İçerik takvimi Mart–Nisan 2026"
    return wb


def _reproducible(data: bytes) -> bytes:
    """Rewrite the .xlsx zip with fixed entry times and document timestamps."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rf"\g<1>{FIXED_ISO}\g<2>", text)
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()


def main(path: Path = OUT) -> Path:
    buffer = io.BytesIO()
    build().save(buffer)
    path.write_bytes(_reproducible(buffer.getvalue()))
    return path


def planted_rows() -> list[tuple[int, str, str]]:
    """(sheet row, ID, planted problem) for every row with a deliberate problem."""
    return [(r, data["ID"] or "", data["_planted"])
            for r, data in enumerate(rows(), start=2) if data["_planted"]]


if __name__ == "__main__":
    written = main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    all_rows = rows()
    print(f"wrote {written} ({len(all_rows)} posts, rows 2–{len(all_rows) + 1})")
    for r, pid, what in planted_rows():
        print(f"  row {r:>3}  {pid or '(no ID)':8} {what}")
