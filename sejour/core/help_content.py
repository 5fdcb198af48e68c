"""The help centre's questions and answers, in our own words (facts from the public FAQ)."""

# ruff: noqa: E501 — each paragraph is one translatable string and cannot be split.

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    slug: str
    question: str
    answer: tuple[str, ...]  # paragraphs, plain text (no HTML)
    links: tuple[tuple[str, str], ...] = ()  # (label, Django URL name) pairs to pages of the site
    external: tuple[tuple[str, str], ...] = ()  # (label, address) pairs to official sites


# The ANTS page that explains the e-photo and leads to its map of approved
# photographers and photo booths.
ANTS_EPHOTO_MAP = "https://ants.gouv.fr/les-services-en-ligne/faire-une-e-photo"


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    entries: tuple[Entry, ...]


SECTIONS = (
    Section(
        "account",
        _("Your account"),
        (
            Entry(
                "who-can-apply-online",
                _("Can I do my procedure on this site?"),
                (
                    _(
                        "You can apply online on Séjour if you have a long-stay visa marked “titre à solliciter” (VLS), or a long-stay visa that counts as a residence permit (VLS-TS) and that you have already validated online."
                    ),
                    _(
                        "You can also use Séjour if you already have a residence permit and you ask for a permit for one of these reasons: “student”, “talent” (the old name was “passeport talent”), “talent – family” or “visitor”."
                    ),
                    _(
                        "For any other kind of permit, you cannot apply on this site. Please go to the web site of the prefecture where you live to find out what to do."
                    ),
                    _(
                        "Whatever permit you hold, you can create an account with it and declare a change of address, or a lost, stolen or damaged permit, on this site."
                    ),
                    _(
                        "To start, log in to your account. If you do not have one yet, create it first."
                    ),
                ),
                (
                    (_("Log in"), "accounts:login"),
                    (_("Create an account"), "accounts:signup_start"),
                ),
            ),
            Entry(
                "create-with-permit",
                _("How do I create an account if I have a residence permit or a receipt?"),
                (
                    _(
                        "Keep your residence permit or your receipt (récépissé) with you. Creating the account takes 3 steps."
                    ),
                    _(
                        "Step 1: type your foreign-national number and the dates when your document starts and ends. We check these details in the national file."
                    ),
                    _(
                        "Step 2: give your e-mail address. We send you a message with a link. Open the link to show that this address is really yours."
                    ),
                    _(
                        "Step 3: choose a password. After that, you log in with your foreign-national number and this password."
                    ),
                ),
                ((_("Create an account"), "accounts:signup_start"),),
            ),
            Entry(
                "create-with-visa",
                _("How do I create an account if I have a visa?"),
                (
                    _(
                        "Type your visa number and the dates when your visa starts and ends. Then give your e-mail address and open the link we send you to confirm it."
                    ),
                    _(
                        "You can now file your first application. Your full account is made later, when the prefecture starts to examine your application. You then get an e-mail with your foreign-national number, which becomes your identifier, and a temporary password."
                    ),
                    _(
                        "Until then, log in with your visa number: each time, we send a login link to your e-mail address."
                    ),
                    _(
                        "The first time you log in with the temporary password, you must choose a new password."
                    ),
                ),
                (
                    (_("Create an account"), "accounts:signup_start"),
                    (_("Log in with my visa number"), "accounts:visa_login"),
                ),
            ),
            Entry(
                "already-have-account",
                _("Do I already have an account?"),
                (
                    _(
                        "If you have already done any procedure on this site, you already have an account. You do not need a new one."
                    ),
                    _(
                        "Validating your VLS-TS online, or using the former “Étrangers en France” service, did not create a Séjour account: “Forgotten password” will send you nothing. Create your account once, with your foreign-national number — on your VLS-TS validation confirmation it is the “Référence” — and the dates of your document."
                    ),
                    _(
                        "If you have already applied for a residence permit on this site, your identifier is your foreign-national number."
                    ),
                ),
                (
                    (_("Find out if I have an account"), "accounts:help_existing_account"),
                    (
                        _("Create an account with a permit, a receipt or a VLS-TS"),
                        "accounts:signup_residence",
                    ),
                    (_("Log in"), "accounts:login"),
                ),
            ),
            Entry(
                "where-is-my-visa-number",
                _("Where do I find my visa number?"),
                (
                    _(
                        "Look at the visa sticker in your passport. The number is in the top right corner. It has 9 digits."
                    ),
                ),
                ((_("See where the numbers are printed"), "accounts:help_where_is_my_number"),),
            ),
            Entry(
                "where-is-my-foreign-national-number",
                _("Where do I find my foreign-national number?"),
                (
                    _(
                        "It is on your residence permit. Its place depends on the model of your card. On some cards, it is just above your signature, under the name “personal number” (numéro personnel). On other cards, it is written from bottom to top along the right side."
                    ),
                    _("It has 10 digits. On some older cards, it has 9 digits."),
                    _("This number is also your identifier when you log in to Séjour."),
                ),
                ((_("See where the numbers are printed"), "accounts:help_where_is_my_number"),),
            ),
            Entry(
                "forgotten-password",
                _("I forgot my password. What can I do?"),
                (
                    _(
                        "On the login page, click on “Forgotten password” and type your identifier, which is your foreign-national number."
                    ),
                    _(
                        "We send a message to the e-mail address of your account. It has a link to choose a new password. The link works only once, and only for a short time."
                    ),
                    _(
                        "If the message does not arrive after a few minutes, look in your spam folder."
                    ),
                ),
                ((_("Choose a new password"), "accounts:password_reset"),),
            ),
            Entry(
                "visa-nothing-received",
                _(
                    "I have a visa and I filed my first application, but I received no identifier and no password. Is this normal?"
                ),
                (
                    _(
                        "Yes, this is normal. For a first application, your full account is made only when the prefecture starts to examine your application."
                    ),
                    _(
                        "At that moment, you get an e-mail with your foreign-national number, which is your new identifier, and a temporary password."
                    ),
                    _(
                        "Until then, you can still log in with your visa number and the link we send to your e-mail address."
                    ),
                ),
                ((_("Log in with my visa number"), "accounts:visa_login"),),
            ),
        ),
    ),
    Section(
        "apply",
        _("Applying for a permit"),
        (
            Entry(
                "when-to-apply",
                _("When should I apply?"),
                (
                    _(
                        "Apply between 4 months and 2 months before your current residence document ends. For example, if it ends on 30 September, you can apply from 30 May, and you should apply before 30 July."
                    ),
                    _(
                        "If you try too early, the site does not take your application, and it tells you the date from which you can apply."
                    ),
                    _(
                        "If you apply less than 2 months before the end, we still take your application, but it is late. You will pay an extra fee for late renewal, and you may be left for some time without a valid document. Please do not wait."
                    ),
                    _(
                        "If you have a long-stay visa marked “titre à solliciter”, you can apply as soon as you arrive in France."
                    ),
                ),
                ((_("Start an application"), "applications:new"),),
            ),
            Entry(
                "how-filing-works",
                _("How does filing an application work?"),
                (
                    _(
                        "You fill in a form in 6 steps: personal information, your project, your resources, supporting documents and e-photo, summary, and confirmation. For some reasons for staying there is no step about resources, so there are only 5 steps."
                    ),
                    _(
                        "Your answers are saved each time you finish a step. You can stop and come back later, even on another phone or computer. You start again at the last step you saved."
                    ),
                    _(
                        "At the end, you get a filing attestation by e-mail and in your account. You can then follow your application from your account."
                    ),
                ),
                ((_("Start an application"), "applications:new"),),
            ),
            Entry(
                "supporting-documents-list",
                _("Where is the list of supporting documents?"),
                (
                    _(
                        "Before you start, the page that presents the procedure shows the list of documents you need. The list depends on your reason for staying, and on whether it is a first application or a renewal."
                    ),
                    _(
                        "You can download this list as a PDF file. This way, you can gather all your documents before you begin."
                    ),
                ),
                ((_("Start an application"), "applications:new"),),
            ),
            Entry(
                "document-formats",
                _("In which format should I send my documents?"),
                (
                    _(
                        "We accept files in JPG, PNG, BMP, TIFF and PDF. You can scan your documents, or simply take a photo with your phone. Make sure the whole page can be read."
                    ),
                    _(
                        "If you do not have one of the documents we ask for, write a letter by hand to explain why. Take a photo of the letter or scan it, and send it in place of the missing document."
                    ),
                ),
            ),
            Entry(
                "get-an-ephoto",
                _("How do I get an e-photo?"),
                (
                    _(
                        "Go to an approved photo booth, or to a photographer approved for the “Service en ligne”. You can find the ones near you on the map of the ANTS web site (the national agency for secure documents)."
                    ),
                    _(
                        "An e-photo brings your photo and your signature into your application, so you do not need to send paper photos."
                    ),
                ),
                external=(
                    (
                        _("Find an approved photographer or photo booth (ANTS web site)"),
                        ANTS_EPHOTO_MAP,
                    ),
                ),
            ),
            Entry(
                "use-an-ephoto",
                _("How do I use my e-photo in my application?"),
                (
                    _("After the photo is taken, you receive a photo sheet with a code on it."),
                    _(
                        "Type this code at the “Supporting documents” step of your application. Keep the sheet until your application is finished."
                    ),
                ),
            ),
            Entry(
                "ephoto-code-not-working",
                _("My e-photo code does not work. What should I do?"),
                (
                    _(
                        "You can use an e-photo code for one procedure only, and it stays valid for 6 months after the photo. If you have already used it, or if it is older than 6 months, you need a new e-photo."
                    ),
                    _(
                        "After the photo, it can take 24 to 48 hours before the code works on our site. If your photo is very recent, please try again later."
                    ),
                    _(
                        "If the code still does not work after this time, tell the company of the photo booth (click on the booth on the ANTS map), or go back to the photographer who took the photo."
                    ),
                ),
            ),
            Entry(
                "several-applications-and-changes",
                _("Can I have several applications, or change my application after I file it?"),
                (
                    _(
                        "Yes. On Séjour, you can have several procedures open at the same time, for example a renewal and a change of address."
                    ),
                    _(
                        "Until the prefecture takes its decision, you can correct your application, add documents to it, or withdraw it. Every change is kept in the history of your application."
                    ),
                    _("The old online service did not allow this."),
                ),
                ((_("My applications"), "applications:dashboard"),),
            ),
        ),
    ),
    Section(
        "follow",
        _("Following your application"),
        (
            Entry(
                "statuses",
                _("What do the statuses of my application mean?"),
                (
                    _("Filed: we have received your application."),
                    _(
                        "Under instruction: the prefecture has opened your application and is examining it. Please wait for its decision."
                    ),
                    _(
                        "Decision taken: the prefecture has finished examining your application and has made a decision."
                    ),
                    _(
                        "Permit available: your permit has been made and is ready. You receive a text message (SMS) telling you how to collect it. If no SMS arrives, look at the web site of your prefecture."
                    ),
                ),
                ((_("My applications"), "applications:dashboard"),),
            ),
            Entry(
                "who-examines-and-how-long",
                _("Who examines my application, and how long does it take?"),
                (
                    _(
                        "The prefecture or sub-prefecture in charge of the address you declared examines your application. If you move, tell us, because your new address may change the prefecture."
                    ),
                    _(
                        "The time it takes is not the same in every prefecture. Our processing times page shows the current times."
                    ),
                ),
                ((_("Processing times"), "transparency"),),
            ),
            Entry(
                "history",
                _("Can I see everything that happened to my application?"),
                (
                    _(
                        "Yes. Your account shows every step of your application with its date, every document you sent (including older versions), and every message between you and the prefecture."
                    ),
                ),
                ((_("My applications"), "applications:dashboard"),),
            ),
            Entry(
                "request-for-documents",
                _("The prefecture asked me for documents. What should I do?"),
                (
                    _(
                        "When a document is missing or not correct, the prefecture asks you for it. You get an e-mail, and a notification appears in your account."
                    ),
                    _(
                        "Log in and open the notification to read the request. For each document, you can keep the one you sent or replace it with a new one. If you do not have the document, you can send a letter written by hand (photo or scan) that explains your situation."
                    ),
                    _(
                        "Then send your answer. The prefecture goes on with the examination of your application. Please answer before the date written in the request."
                    ),
                ),
                ((_("My applications"), "applications:dashboard"),),
            ),
            Entry(
                "closed-without-follow-up",
                _("My application was closed without follow-up. Why?"),
                (
                    _(
                        "A prefecture can close an application without making a decision. On Séjour, it must always give you the reason in writing. You can read it in your account."
                    ),
                    _(
                        "Read the reason carefully. If you still need a permit, you can file a new application. If you do not understand the reason, contact your prefecture."
                    ),
                ),
                ((_("My applications"), "applications:dashboard"),),
            ),
        ),
    ),
    Section(
        "attestations",
        _("Attestations"),
        (
            Entry(
                "what-is-an-adp",
                _("What is an extension attestation (ADP), and why did I get one?"),
                (
                    _(
                        "Sometimes the prefecture cannot decide on your application before your current residence document ends. You then get, in your account, an attestation that extends the examination of your application (ADP, attestation de prolongation d'instruction)."
                    ),
                    _(
                        "It proves that your application is being examined. What it allows depends on whether this is your first application or a renewal. Your rights are written on the attestation itself."
                    ),
                ),
            ),
            Entry(
                "adp-first-application",
                _("What can I do with an ADP for a first application?"),
                (
                    _(
                        "With an ADP for a first application, you cannot travel and then come back into the Schengen area, wherever you try to enter."
                    ),
                    _("It does not give you any new rights, unless the attestation says so."),
                    _(
                        "If you hold a validated VLS-TS, this is not your case: the card that follows a VLS-TS is asked for like a renewal, and its ADP is a renewal one."
                    ),
                ),
            ),
            Entry(
                "adp-renewal",
                _("What can I do with an ADP for a renewal?"),
                (
                    _(
                        "An ADP for a renewal is valid only together with your previous permit (card or visa), even if that permit has expired. Always keep the two documents together."
                    ),
                    _(
                        "With it, you can travel and come back into the Schengen area, wherever you enter."
                    ),
                    _(
                        "You keep all the rights that your previous permit gave you. If it allowed you to work, you can go on working while the ADP is valid."
                    ),
                ),
            ),
            Entry(
                "adp-automatic",
                _("Do I need to ask for a new ADP when mine ends?"),
                (
                    _(
                        "No. Séjour makes your ADP automatically before your current document ends. It also renews it automatically before it ends, until the prefecture takes its decision."
                    ),
                    _(
                        "You do not need to ask for anything. Each new attestation appears in your account."
                    ),
                ),
            ),
            Entry(
                "what-is-an-adf",
                _("What is a favourable decision attestation (ADF)?"),
                (
                    _(
                        "When the prefecture accepts your application, you get an attestation of favourable decision (ADF, attestation de décision favorable) in your account. You use it until you collect your new permit."
                    ),
                    _(
                        "It is valid only together with your previous permit or long-stay visa, even if that document has expired."
                    ),
                    _(
                        "With it, you keep the rights of your previous permit, and you can travel and come back into the Schengen area. If your previous permit allowed you to work, you can go on working while the ADF is valid."
                    ),
                ),
            ),
            Entry(
                "check-an-attestation",
                _("How can my employer check that my attestation is real?"),
                (
                    _(
                        "Every attestation from Séjour has a QR code. Anyone, for example your employer, can scan it or use our checking page to see that the attestation is real and still valid."
                    ),
                ),
                ((_("Check an attestation"), "attestations:verify_form"),),
            ),
        ),
    ),
    Section(
        "money",
        _("Fees and payment"),
        (
            Entry(
                "how-much",
                _("How much does a residence permit cost?"),
                (
                    _(
                        "The price has two parts: a tax, which depends on your reason for staying and on whether it is your first permit or a renewal, and a stamp duty for making the card."
                    ),
                    _(
                        "If you validated a VLS-TS, you paid the first-permit tax then: the card that follows it costs the renewal tax."
                    ),
                    _("If you renew your permit late, you also pay a fee for late renewal."),
                    _(
                        "You do not pay online. You pay when you collect your permit. Our simulator tells you the amount in your case."
                    ),
                ),
                ((_("Estimate my fees"), "core:fees"),),
            ),
            Entry(
                "how-to-pay",
                _("How do I pay?"),
                (
                    _(
                        "You can pay only with an electronic tax stamp (timbre fiscal électronique). It has a number of 16 digits. Paper tax stamps are not accepted."
                    ),
                    _(
                        "You can buy it in a tobacconist's shop (bureau de tabac), in a tax office, or online on timbres.impots.gouv.fr. If you cannot pay by bank card, you can pay in cash in a tobacconist's shop or a tax office."
                    ),
                    _(
                        "Before you pay, check that the stamp is electronic and that its amount is exactly the amount asked for your permit."
                    ),
                ),
                ((_("About tax stamps"), "core:stamps"),),
            ),
            Entry(
                "stamp-refund",
                _("Can I get my money back for a tax stamp I did not use?"),
                (
                    _(
                        "Yes. If you bought an electronic tax stamp and did not use it, you can ask for a refund on timbres.impots.gouv.fr."
                    ),
                ),
                ((_("About tax stamps"), "core:stamps"),),
            ),
        ),
    ),
    Section(
        "changes",
        _("Changes in your situation"),
        (
            Entry(
                "change-of-address",
                _("I have moved. What should I do?"),
                (
                    _(
                        "You can declare your new address on Séjour, whatever permit you have. If your permit is valid for less than one year, you do not have to declare it."
                    ),
                    _(
                        "When you declare it, you choose whether you want a new card. A new card must be paid for."
                    ),
                    _(
                        "If you do not ask for a new card, the prefecture examines your declaration and then puts an attestation of your new address in your account. You can use it to prove where you live."
                    ),
                ),
                ((_("Declare a change"), "changes:start"),),
            ),
            Entry(
                "lost-stolen-damaged",
                _("My permit was lost, stolen or damaged. What should I do?"),
                (
                    _(
                        "Declare it on Séjour, as a change in your situation. You will then get a duplicate, which is a new copy of your permit."
                    ),
                    _(
                        "If your permit was stolen, first report the theft to the police. You will need the police report."
                    ),
                    _(
                        "If your permit ends in less than 90 days, you do not get a duplicate. We send you to the renewal procedure instead, so that you get a new permit."
                    ),
                ),
                ((_("Declare a change"), "changes:start"),),
            ),
        ),
    ),
    Section(
        "support",
        _("Help and support"),
        (
            Entry(
                "technical-problem",
                _("I have a technical problem and I cannot go on. What can I do?"),
                (
                    _(
                        "Call our support line on 0 806 001 620, or write to us with the contact form. You can reach the form from every page."
                    ),
                    _(
                        "In the form, add screenshots of the problem. Make sure we can see the error message, the address bar of your browser, and the date and time."
                    ),
                ),
                ((_("Contact us"), "support:contact"),),
            ),
            Entry(
                "support-could-not-help",
                _("The support could not solve my problem. Where else can I get help?"),
                (
                    _(
                        "Ask your prefecture how to reach its digital help desk for foreign nationals, called e-MERAUDE. It helps foreign nationals living in France whose permit can be requested on this site."
                    ),
                ),
            ),
            Entry(
                "where-are-the-rules",
                _("Where can I find the rules about staying in France?"),
                (
                    _(
                        "For questions about the law, and not about this web site, you can look at the web site of your prefecture or at service-public.fr."
                    ),
                    _("You can also call Allô Service Public on 39 39."),
                ),
            ),
            Entry(
                "assisted-filing",
                _("I cannot use the site. Can someone file my application for me?"),
                (
                    _(
                        "Yes. If you cannot use the site yourself, a support agent can fill in and file your application for you. They do it only if you agree, and your agreement is recorded."
                    ),
                    _(
                        "To ask for this help, call our support line or write to us with the contact form."
                    ),
                ),
                ((_("Contact us"), "support:contact"),),
            ),
        ),
    ),
)
