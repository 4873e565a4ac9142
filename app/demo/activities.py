"""Demo activities shaped like the 2011 impact report, with the shape of their ledgers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# Each activity: the report's words, homes, targets and the shape of its ledger in the current
# financial year. "people" are named customers, "anonymous" a headcount row, "meetings" repeats
# for the same people (forums and panels), "hours" customer hours each, "staff" staff hours,
# "costs" (kind, amount, description).
ACTIVITIES: list[dict[str, Any]] = [
    {
        "name": "Local Offers",
        "category": "consultation",
        "aim": "Consult and involve customers to create Local Offers across all our operating areas.",
        "method": "Customers were given the opportunity to be involved in creating the Local Offers through "
        "attendance at a range of site meetings, via email, website and postal surveys.",
        "outcomes": "A Derwent Delivers sent to all customers detailing the process, final local offers and the "
        "mechanism for reporting performance. Customers will receive quarterly performance information on the "
        "services they judge most important to their Local Offer area.",
        "evidence": "The final set of Local Offers have been publicised and are available on our website and "
        "updated quarterly.",
        "homes_affected": 5000,
        "target_customers": 500,
        "target_cost_per_customer": Decimal("10.00"),
        "ledger": {
            "people": 420,
            "channels": ("web", "email", "post"),
            "anonymous": [(180, "in person")],
            "hours": Decimal("0.2"),
            "staff": 120,
            "costs": [
                ("print", "2890.00", "Survey print and post"),
                ("venue", "1300.00", "Site meeting rooms"),
                ("catering", "1000.00", "Refreshments at site meetings"),
            ],
        },
    },
    {
        "name": "Resident Scrutiny",
        "category": "scrutiny",
        "aim": "Customers independently scrutinising the repair service.",
        "method": "Four Scrutiny Team members conducted a review and compiled a report. Customers were consulted "
        "on the repairs service over the phone and face to face.",
        "outcomes": "The final report contains 18 improvement recommendations.",
        "evidence": "Repairs Review report by the Scrutiny team, presented to the Operational Performance "
        "Committee; the recommendations will be monitored there.",
        "homes_affected": 6000,
        "target_customers": 100,
        "target_cost_per_customer": Decimal("7.50"),
        "ledger": {
            "people": 100,
            "channels": ("phone", "in person"),
            "hours": Decimal("0.4"),
            "panel": 4,
            "meetings": 6,
            "panel_hours": Decimal("3"),
            "staff": 20,
            "costs": [
                ("training", "398.06", "Scrutiny training day"),
                ("travel", "250.00", "Members' travel"),
            ],
        },
    },
    {
        "name": "Derwent Life newsletter",
        "category": "newsletter",
        "aim": "Use an effective involvement tool to gauge readership of Derwent Life.",
        "method": "A text survey was sent to customers with the responses then used to create a report on "
        "readership levels.",
        "outcomes": "The results showed that 83% of customers read the magazine and the demographic profile was "
        "in line with the wider customer base.",
        "evidence": "Readership and demographics report produced and publicised in the summer edition of Derwent "
        "Life; it will be discussed at the Editorial Panel.",
        "homes_affected": 6000,
        "target_customers": 400,
        "target_cost_per_customer": Decimal("0.50"),
        "ledger": {
            "people": 520,
            "channels": ("sms",),
            "sms_only": True,
            "hours": Decimal("0.0333"),
            "staff": 5,
            "costs": [("sms", "254.90", "Text survey messages")],
        },
    },
    {
        "name": "Mystery Shopping",
        "category": "mystery shopping",
        "aim": "Reality check anti-social behaviour services offered to customers and make recommendations to "
        "enhance performance.",
        "method": "Customers were trained to conduct a mystery shopping exercise on anti-social behaviour. The "
        "mystery shoppers contacted us with 20 separate scenarios via phone, email and letter.",
        "outcomes": "A report by customers detailing their findings has been incorporated into an 11 point action "
        "plan, which is currently live.",
        "evidence": "Mystery Shopping report and action plan produced.",
        "homes_affected": 6000,
        "target_customers": 8,
        "target_cost_per_customer": Decimal("300.00"),
        "ledger": {
            "people": 0,
            "panel": 6,
            "meetings": 5,
            "panel_hours": Decimal("1"),
            "channels": ("phone",),
            "staff": 50,
            "costs": [
                ("training", "1450.00", "Mystery shopper training"),
                ("incentives", "800.00", "Shopper vouchers"),
            ],
        },
    },
    {
        "name": "Reading Panel",
        "category": "panel",
        "aim": "Ensure that customers influence the design and content of the communication they receive.",
        "method": "The customer Reading Panel has reviewed a number of new documents and marketing materials, "
        "commenting on design, layout and use of language.",
        "outcomes": "The reviewed and agreed documents include the Resident Association agreement form, the "
        "myskills training brochure, Top Tips training sheets and the Resident Involvement Strategy.",
        "evidence": "Documents approved by the Reading Panel are logged centrally and available on the website.",
        "homes_affected": 6000,
        "target_customers": 6,
        "target_cost_per_customer": Decimal("40.00"),
        "ledger": {
            "people": 0,
            "panel": 5,
            "meetings": 4,
            "panel_hours": Decimal("1"),
            "channels": ("in person",),
            "staff": 10,
            "costs": [
                ("postage", "60.00", "Documents posted to members"),
                ("catering", "100.00", "Panel refreshments"),
            ],
        },
    },
    {
        "name": "Customer Training",
        "category": "training",
        "aim": "Establish a customer-led training programme and skills assessment framework.",
        "method": "All involved customers were consulted on training needs using a new skills assessment "
        "framework; the responses prioritised topics for a customer training programme.",
        "outcomes": "A myskills training programme has been established so that customers are given the support "
        "and training for involvement. 'Top 10 tips' training sheets are available on the website.",
        "evidence": "Myskills brochure and skills assessment template produced and on the website.",
        "homes_affected": 6000,
        "target_customers": 80,
        "target_cost_per_customer": Decimal("15.00"),
        "ledger": {
            "people": 78,
            "channels": ("in person", "online"),
            "hours": Decimal("1"),
            "staff": 120,
            "costs": [("training", "1652.00", "Trainer fees"), ("venue", "500.00", "Training rooms")],
        },
    },
    {
        "name": "Home Group welcome events",
        "category": "event",
        "aim": "Give Home Group customers an opportunity to engage with Derwent Living prior to the transfer of "
        "their homes.",
        "method": "Four welcome events were held for Home Group customers involving staff from across the "
        "organisation, in Derby, Langley Mill and Lincoln (twice).",
        "outcomes": "Home Group customers have a better knowledge of Derwent Living and a positive first contact "
        "with the organisation.",
        "evidence": "Feedback report on the events was produced with a copy sent to Home Group.",
        "homes_affected": 1098,
        "target_customers": 120,
        "target_cost_per_customer": Decimal("15.00"),
        "ledger": {
            "people": 84,
            "channels": ("event",),
            "anonymous": [(15, "event")],
            "hours": Decimal("0.5"),
            "staff": 36,
            "costs": [("venue", "997.00", "Four venues"), ("catering", "800.00", "Lunches")],
        },
    },
    {
        "name": "Resident Involvement Strategy",
        "category": "consultation",
        "aim": "Consult with customers to create a Resident Involvement Strategy for the next three years.",
        "method": "Consultations were held at a number of existing customer meetings and an email survey was "
        "conducted. The Reading Panel agreed the final document.",
        "outcomes": "Customers have a wider range of opportunities for involvement through technology and local "
        "area forums. A training programme is now also in place.",
        "evidence": "A final strategy has been agreed with customers that sets the involvement priorities and "
        "objectives, incorporating TPAS recommendations.",
        "homes_affected": 6000,
        "target_customers": 50,
        "target_cost_per_customer": Decimal("10.00"),
        "ledger": {
            "people": 41,
            "channels": ("email", "in person"),
            "hours": Decimal("0.5"),
            "staff": 18,
            "costs": [("print", "370.00", "Strategy print run")],
        },
    },
    {
        "name": "Challenge Hour area forums",
        "category": "forum",
        "aim": "Establish Challenge Hour panels in Local Offer areas allowing customers to challenge performance "
        "and delivery of services at a local level.",
        "method": "Flyer to all customers inviting them to a Challenge Hour meeting in their area, and a webinar "
        "based on Local Offers performance and local issues.",
        "outcomes": "Customers attended Challenge Hour sessions completing consultation on the Transfer Policy "
        "and Business Plan. Forums are established in Derby, Kirkby, Beeston and Lincoln.",
        "evidence": "Evaluation of the first round of Challenge Hours has been completed and round 2 is underway.",
        "homes_affected": 4866,
        "target_customers": 40,
        "target_cost_per_customer": Decimal("150.00"),
        "ledger": {
            "people": 0,
            "panel": 29,
            "meetings": 3,
            "panel_hours": Decimal("1.5"),
            "channels": ("in person",),
            "anonymous": [(12, "online")],
            "staff": 244,
            "costs": [
                ("print", "2403.00", "Flyers to all customers"),
                ("venue", "3100.00", "Area venues"),
                ("catering", "1400.00", "Refreshments"),
            ],
        },
    },
    {
        "name": "The Big Get together",
        "category": "event",
        "aim": "Engage a greater number of customers at the AGM and gather feedback on a range of services.",
        "method": "Customers were invited to a pre-event in an accessible venue with a range of information and "
        "activities before the AGM business took place.",
        "outcomes": "Customers attended the event and watched online, increasing knowledge and participation in "
        "the governance of the organisation; households took part in business planning, website and repairs "
        "consultations.",
        "evidence": "The consultation results feed into the Business Plan, a revamped website and the repairs "
        "service.",
        "homes_affected": 6000,
        "target_customers": 150,
        "target_cost_per_customer": Decimal("60.00"),
        "ledger": {
            "people": 147,
            "channels": ("event",),
            "single_day": True,
            "anonymous": [(30, "online")],
            "hours": Decimal("1.5"),
            "staff": 363.5,
            "costs": [
                ("venue", "6200.00", "Assembly rooms hire"),
                ("catering", "3430.30", "Lunch for 150"),
                ("incentives", "2000.00", "Prize draw and activities"),
            ],
        },
    },
    {
        "name": "Involvement through text & email",
        "category": "consultation",
        "aim": "Engage a wider cross section of customers using text messaging and email consultations.",
        "method": "Using customer data gathered through the Community Census, an email database and bulk text "
        "messaging service have been set up for mass consultation and involvement.",
        "outcomes": "Customers have taken part in separate consultations using text and email, including "
        "Housing Officer satisfaction, the Customer Handbook and the Transfer Policy.",
        "evidence": "Final policies and strategies produced; feedback on text and email involvement included in "
        "Derwent Life.",
        "homes_affected": 6000,
        "target_customers": 600,
        "target_cost_per_customer": Decimal("0.50"),
        "ledger": {
            "people": 760,
            "channels": ("sms", "sms", "sms", "email"),
            "sms_only": True,
            "hours": Decimal("0.0333"),
            "staff": 27,
            "costs": [("sms", "1011.00", "Text consultations"), ("other", "150.00", "Email service")],
        },
    },
    {
        "name": "Complaints Improvement Group",
        "category": "panel",
        "aim": "Customers review how complaints are handled and suggest improvements.",
        "method": "A group of customers meets every two months to review anonymised complaints and letters.",
        "outcomes": "All complaints are now closed by letter and a supporting phone call.",
        "evidence": "Minutes of the group and the revised complaints procedure.",
        "homes_affected": 6000,
        "target_customers": 10,
        "target_cost_per_customer": Decimal("30.00"),
        "counts_toward_budget": False,
        "ledger": {
            "people": 0,
            "panel": 8,
            "meetings": 3,
            "panel_hours": Decimal("2"),
            "channels": ("in person",),
            "staff": 24,
            "costs": [("catering", "180.00", "Meeting refreshments")],
        },
    },
]

# Activities that also ran in the previous financial year (so regular involvement has a history).
PREVIOUS_YEAR = {
    "Challenge Hour area forums": {
        "panel": 12,
        "meetings": 2,
        "panel_hours": Decimal("1.5"),
        "staff": 90,
        "costs": [("venue", "1800.00", "Pilot venues")],
    },
    "Derwent Life newsletter": {
        "people": 380,
        "channels": ("sms",),
        "sms_only": True,
        "hours": Decimal("0.0333"),
        "staff": 4,
        "costs": [("sms", "190.00", "Readership texts")],
    },
    "Resident Scrutiny": {
        "panel": 3,
        "meetings": 4,
        "panel_hours": Decimal("3"),
        "staff": 16,
        "costs": [("training", "300.00", "Induction")],
    },
}
