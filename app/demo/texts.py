"""Demo areas, "you said, we did" outcomes and actions underway, from the 2011 impact report."""

from __future__ import annotations

AREAS = (("Derby", 2200), ("Kirkby", 1100), ("Beeston", 900), ("Lincoln", 1200), ("Langley Mill", 600))

OUTCOMES = [
    (
        "North Notts Challenge Hour",
        "Reported that CCTV on Southwell Close wasn't working",
        "Issue reported and visits from IT and contractor have resolved the issue",
    ),
    (
        "Cavendish Court Residents Association",
        "Residents requested action on unauthorised parking at Cavendish Court",
        "Housing Management engaged a vehicle enforcement firm; permits will carry car registration numbers and open "
        "permits will be available for visitors.",
    ),
    (
        "Beeston Residents meeting",
        "Residents complained that a dog was being kept in the flats and causing a noise nuisance",
        "Housing officer enforced the pet policy and resolved the issue for residents",
    ),
    (
        "Lambourn Court Residents Association",
        "Residents said the planned painting programme specification was unnecessary and should be revised.",
        "After inspection with Asset Management a reduced specification was "
        "agreed, saving the leaseholders £3000.",
    ),
    (
        "Kirkby Residents meeting",
        "Residents reported that grit was being stolen from the grit bins on the estate and wanted action",
        "Security locks were placed on bins to prevent a repeat",
    ),
    (
        "ASB Forum",
        "Group thought the satisfaction survey was too long",
        "Members suggested changes to the form that have been put into place. Returns have since increased.",
    ),
    (
        "Complaints Improvement Group",
        "Complaints were being reopened as customers hadn't agreed or understood they had been closed",
        "All complaints now closed by letter and supporting phone call",
    ),
    (
        "Admiral Close Residents meeting",
        "Customers unhappy with cars parking on the corner of the entrance to the "
        "scheme causing an obstruction",
        "Yellow lines have now been painted on the road in this area to deter parking",
    ),
    (
        "Bank Court Residents meeting",
        "Customers requested the rotary dryers were moved to a better location",
        "",
    ),
    (
        "Christchurch Court Residents meeting",
        "When a false fire alarm sounds, it can last for up to 40 minutes "
        "causing nuisance and distress for customers.",
        "",
    ),
]

# (aim, expected outcome, days from today until due; negative = overdue, status)
ACTIONS = [
    (
        "Establish a Strategic customer forum",
        "A forum of elected and accountable customers works with senior "
        "management to inform the development of strategy and policy.",
        -12,
        "in progress",
    ),
    (
        "Increase the number of customers engaging with involvement opportunities",
        "All customers who said they "
        "were interested in involvement will be individually contacted to discuss options.",
        35,
        "open",
    ),
    (
        "Reality check Local Offers performance and make recommendations",
        "A mystery shopping exercise delivered "
        "by customers checks performance against Local Offers and recommends improvements.",
        65,
        "open",
    ),
    (
        "Achieve collection of 90% customer profiling data",
        "Profiling data for 90% of customers collected, with "
        "regular reports informing decisions through the Customer Insight Strategy.",
        95,
        "in progress",
    ),
    (
        "Increase opportunities for resident-led co-regulation",
        "The Resident Scrutiny team has more members with "
        "accredited training, and two further service reviews are presented to the Operational Performance "
        "Committee.",
        125,
        "open",
    ),
]
